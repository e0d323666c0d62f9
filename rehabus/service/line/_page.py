"""The account-linking page (``/line/link``): Traditional Chinese first, English after; a plain
form that works without scripts, large type, labelled fields, errors announced (``role=alert``)
and tied to the fields they concern."""

from __future__ import annotations

from html import escape

__all__ = ["CONTENT_SECURITY_POLICY", "expired_page", "sign_in_page"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https://access.line.me; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""The page's own policy: no scripts at all, and the form may lead only here and, after
signing in, to LINE's account-link dialog (browsers apply ``form-action`` to the redirect)."""

_STYLE = """
body { font-family: system-ui, "Noto Sans TC", "PingFang TC", sans-serif; font-size: 1.15rem;
  line-height: 1.6; max-width: 34rem; margin: 0 auto; padding: 1rem; color: #1a1a1a;
  background: #fff; }
h1 { font-size: 1.6rem; line-height: 1.3; }
.en { color: #3d3d3d; font-size: 0.95em; }
label { display: block; margin-top: 1.1rem; font-weight: 700; }
input { font-size: 1.2rem; width: 100%; padding: 0.6rem; border: 2px solid #4a4a4a;
  border-radius: 0.4rem; box-sizing: border-box; }
input:focus, button:focus { outline: 3px solid #0b57d0; outline-offset: 2px; }
button { margin-top: 1.5rem; font-size: 1.25rem; padding: 0.85rem 1.2rem; width: 100%;
  background: #06c755; color: #000; border: 0; border-radius: 0.5rem; font-weight: 700; }
.alert { border-left: 6px solid #b00020; padding: 0.5rem 1rem; background: #fdecee; }
.warn { border-left: 6px solid #8a5a00; padding: 0.5rem 1rem; background: #fff4dc; }
"""


def _page(body: str) -> str:
    return f"""<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>連結 LINE 帳號 Link LINE · 復康巴士</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>連結 LINE 帳號<br><span class="en" lang="en">Link your LINE account</span></h1>
{body}
</main>
</body>
</html>
"""


def sign_in_page(link_token: str, error: tuple[str, str] | None = None, username: str = "") -> str:
    """The sign-in form for ``link_token``, with an error above it (Chinese, English)."""
    alert = ""
    described = ""
    if error is not None:
        alert = (
            f'<p class="alert" role="alert" id="error">{escape(error[0])}<br>'
            f'<span lang="en">{escape(error[1])}</span></p>'
        )
        described = ' aria-describedby="error" aria-invalid="true"'
    return _page(
        f"""{alert}
<p>登入復康巴士帳號後，即可在 LINE 預約、查詢、取消行程，並收到行程通知。<br>
<span class="en" lang="en">Sign in to your rehab-bus account to book, see and cancel trips and
get trip news in LINE.</span></p>
<p class="warn"><strong>請只在從您自己的 LINE 聊天室開啟此頁時登入。</strong>
別人傳給您的連結請勿登入。<br>
<span lang="en"><strong>Sign in only if you opened this page from your own LINE chat.</strong>
Never on a link someone sent you.</span></p>
<form method="post" action="link">
<input type="hidden" name="linkToken" value="{escape(link_token)}">
<label for="username">帳號 <span lang="en">Username</span></label>
<input id="username" name="username" autocomplete="username" required maxlength="64"
 value="{escape(username)}"{described}>
<label for="password">密碼 <span lang="en">Password</span></label>
<input id="password" name="password" type="password" autocomplete="current-password" required
 maxlength="128"{described}>
<button type="submit">登入並連結 <span lang="en">Sign in and link</span></button>
</form>"""
    )


def expired_page() -> str:
    """The page for a link that cannot be used (unknown, used, or older than 10 minutes)."""
    return _page(
        """<p class="alert" role="alert">此連結已失效或已使用。
請回到 LINE，再點一次「連結帳號」。<br>
<span lang="en">This link has expired or was used. Go back to LINE and tap "link account"
again.</span></p>"""
    )
