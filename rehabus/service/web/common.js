// Shared by the pages: language (Traditional Chinese, English), larger text, sign-in token,
// calls to the /v1 API with bilingual errors, local-time formatting, and the map layers.
"use strict";

const Rehabus = (() => {
  const STRINGS = {
    "zh-Hant": {
      skip: "跳到主要內容",
      lang_switch: "English",
      lang_switch_label: "Switch to English",
      larger_text: "放大字體",
      normal_text: "一般字體",
      sign_in: "登入",
      sign_out: "登出",
      username: "帳號",
      password: "密碼",
      signed_in: "已登入：{name}（{role}）",
      signing_in: "登入中…",
      role_rider: "乘客",
      role_caregiver: "照顧者",
      role_dispatcher: "調度員",
      role_planner: "規劃人員",
      role_admin: "管理員",
      role_driver: "司機",
      loading: "載入中…",
      network_error: "無法連線到服務，請稍後再試。",
      map_label: "地圖：行政區界與道路",
      attribution: "道路 © OpenStreetMap 貢獻者（ODbL）· 行政區界 內政部",
      walks: "可步行",
      wheelchair: "輪椅（不下輪椅）",
      wheelchair_transfer: "輪椅（可移位到座椅）",
      pickup: "上車",
      dropoff: "下車",
      accepted: "已接受",
      waitlisted: "候補中",
      refused: "無法預約",
      cancelled: "已取消",
      no_show: "未搭乘",
      interrupted: "行程中斷",
      stranded: "車輛故障受困，待派車救援",
      completed: "已完成",
      dialysis: "洗腎",
      medical: "就醫",
      rehabilitation: "復健",
      work_or_school: "上班或上學",
      other: "其他",
    },
    en: {
      skip: "Skip to main content",
      lang_switch: "中文",
      lang_switch_label: "切換為中文",
      larger_text: "Larger text",
      normal_text: "Normal text",
      sign_in: "Sign in",
      sign_out: "Sign out",
      username: "Username",
      password: "Password",
      signed_in: "Signed in: {name} ({role})",
      signing_in: "Signing in…",
      role_rider: "rider",
      role_caregiver: "caregiver",
      role_dispatcher: "dispatcher",
      role_planner: "planner",
      role_admin: "admin",
      role_driver: "driver",
      loading: "Loading…",
      network_error: "The service cannot be reached; please try again.",
      map_label: "Map: district boundaries and roads",
      attribution: "Roads © OpenStreetMap contributors (ODbL) · districts: Ministry of the Interior",
      walks: "Walks",
      wheelchair: "Wheelchair (stays in it)",
      wheelchair_transfer: "Wheelchair (can move to a seat)",
      pickup: "Pickup",
      dropoff: "Drop-off",
      accepted: "Accepted",
      waitlisted: "Waitlisted",
      refused: "Not possible",
      cancelled: "Cancelled",
      no_show: "No-show",
      interrupted: "Interrupted",
      stranded: "Stranded by a breakdown: send a bus",
      completed: "Completed",
      dialysis: "Dialysis",
      medical: "Medical appointment",
      rehabilitation: "Rehabilitation",
      work_or_school: "Work or school",
      other: "Other",
    },
  };
  const pageStrings = { "zh-Hant": {}, en: {} };
  const listeners = [];
  let lang = localStorage.getItem("rehabus.lang") === "en" ? "en" : "zh-Hant";

  function t(key, vars) {
    let text = pageStrings[lang][key] ?? STRINGS[lang][key] ?? key;
    for (const [name, value] of Object.entries(vars || {})) {
      text = text.replaceAll(`{${name}}`, String(value));
    }
    return text;
  }

  function translate(root) {
    for (const el of (root || document).querySelectorAll("[data-i18n]")) {
      el.textContent = t(el.dataset.i18n);
    }
    for (const el of (root || document).querySelectorAll("[data-i18n-attr]")) {
      for (const pair of el.dataset.i18nAttr.split(";")) {
        const [attr, key] = pair.split(":");
        el.setAttribute(attr, t(key));
      }
    }
  }

  function setLanguage(next) {
    lang = next;
    localStorage.setItem("rehabus.lang", lang);
    document.documentElement.lang = lang;
    const base = document.body.dataset.titleKey;
    if (base) document.title = t(base);
    translate(document);
    const button = document.getElementById("lang-switch");
    if (button) button.lang = lang === "en" ? "zh-Hant" : "en";
    for (const listener of listeners) listener(lang);
  }

  function setupChrome(strings) {
    for (const code of ["zh-Hant", "en"]) Object.assign(pageStrings[code], strings[code]);
    const large = localStorage.getItem("rehabus.large") === "1";
    document.documentElement.classList.toggle("large-text", large);
    const langButton = document.getElementById("lang-switch");
    langButton?.addEventListener("click", () => setLanguage(lang === "en" ? "zh-Hant" : "en"));
    const sizeButton = document.getElementById("text-size");
    const showSize = () => {
      const on = document.documentElement.classList.contains("large-text");
      sizeButton.setAttribute("aria-pressed", String(on));
    };
    sizeButton?.addEventListener("click", () => {
      const on = !document.documentElement.classList.contains("large-text");
      document.documentElement.classList.toggle("large-text", on);
      localStorage.setItem("rehabus.large", on ? "1" : "0");
      showSize();
      for (const listener of listeners) listener(lang);
    });
    if (sizeButton) showSize();
    setLanguage(lang);
  }

  // Signing in: the token is kept for this browser tab only.
  const TOKEN_KEY = "rehabus.token";
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  class ApiError extends Error {
    constructor(status, detail) {
      const first = (detail && detail[0]) || {};
      super(first.message_en || `HTTP ${status}`);
      this.status = status;
      this.detail = detail || [];
    }
    text() {
      if (!this.detail.length) return t("network_error");
      return this.detail
        .map((d) => {
          const message = lang === "en" ? d.message_en : d.message_zh;
          return d.field ? `${message} (${d.field})` : message;
        })
        .join(" ");
    }
  }

  // ``meta``, when given, is told the answer's Date header (when the service answered: a kept
  // answer, served by a page's service worker, keeps the time it was first given).
  async function api(path, { method = "GET", body, headers = {}, raw = false, meta } = {}) {
    const all = { Accept: raw ? "text/html" : "application/json", ...headers };
    if (token()) all.Authorization = `Bearer ${token()}`;
    if (body !== undefined) all["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: all,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, null);
    }
    if (!response.ok) {
      let detail = null;
      try {
        detail = (await response.json()).detail;
      } catch {
        detail = null;
      }
      if (response.status === 401 && path !== "/v1/auth/token") signOut(false);
      throw new ApiError(response.status, Array.isArray(detail) ? detail : null);
    }
    if (meta) meta.date = response.headers.get("Date");
    if (response.status === 204) return null;
    return raw ? response.text() : response.json();
  }

  // A server-sent event stream of the API, read with fetch (EventSource cannot send the
  // Authorization header): calls onEvent(kind, data) for each event; resolves when the stream
  // ends, rejects when it cannot be read (the caller opens it again).
  async function stream(path, onEvent, signal) {
    const response = await fetch(path, {
      headers: { Accept: "text/event-stream", Authorization: `Bearer ${token()}` },
      signal,
    });
    if (!response.ok || !response.body) throw new ApiError(response.status, null);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const kind = (block.match(/^event: (.*)$/m) || [])[1];
        const data = (block.match(/^data: (.*)$/m) || [])[1];
        if (kind && data) onEvent(kind, JSON.parse(data));
      }
    }
  }

  async function signIn(username, password) {
    const answer = await api("/v1/auth/token", { method: "POST", body: { username, password } });
    sessionStorage.setItem(TOKEN_KEY, answer.access_token);
    return api("/v1/me");
  }

  // Called before the page reloads when the person signs out: a page may delete what it kept
  // for them.
  let onSignOut = () => {};
  // Called when the service refuses the token (a sign-in expired or revoked), before the page
  // reloads: a page may delete what it kept for the person signed in.
  let onExpired = () => {};
  const REVOKE_WAIT_MS = 5000;
  function signOut(byPerson = true) {
    const old = token();
    sessionStorage.removeItem(TOKEN_KEY);
    // The service revokes the token at once (POST /v1/auth/logout). The page waits for that
    // answer (at most REVOKE_WAIT_MS) before it reloads: a reload may cut the request short,
    // and a token believed revoked would still work.
    const revoked =
      old && byPerson
        ? fetch("/v1/auth/logout", {
            method: "POST",
            headers: { Authorization: `Bearer ${old}` },
            keepalive: true,
            signal: AbortSignal.timeout(REVOKE_WAIT_MS),
          }).catch(() => {})
        : Promise.resolve();
    const forget = Promise.resolve()
      .then(byPerson ? onSignOut : onExpired)
      .catch(() => {});
    Promise.allSettled([revoked, forget]).finally(() => location.reload());
  }

  // A staff page's start (console, desk, driver): the sign-out button; the sign-in form, and
  // the person already signed in, let in only with one of `roles` (`refuse()` says why not);
  // `enter(user)` opens the page. A failed sign-in is shown by `failed(error)` (by default its
  // text in #sign-in-error).
  async function startSignIn({ roles, refuse, enter, failed }) {
    const el = (id) => document.getElementById(id);
    const showFailure =
      failed ||
      ((e) => {
        el("sign-in-error").textContent = e instanceof ApiError ? e.text() : String(e);
      });
    el("sign-out").addEventListener("click", () => signOut());
    el("sign-in-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      el("sign-in-error").textContent = "";
      try {
        const user = await signIn(el("username").value.trim(), el("password").value);
        if (!roles.includes(user.role)) {
          refuse();
          return;
        }
        await enter(user);
      } catch (e) {
        showFailure(e);
        el("password").focus();
      }
    });
    const user = await currentUser();
    if (user && !roles.includes(user.role)) refuse();
    else if (user) await enter(user);
  }

  async function currentUser() {
    if (!token()) return null;
    try {
      return await api("/v1/me");
    } catch {
      return null;
    }
  }

  // Times: the API answers in the city's local time with its offset ("2026-11-27T09:24:35+08:00");
  // show that wall-clock time whatever the browser's own time zone.
  const hm = (iso) => (iso ? iso.slice(11, 16) : "–");
  const ymd = (iso) => (iso ? iso.slice(0, 10) : "");
  const seconds = (iso) => {
    const [h, m, s] = iso.slice(11, 19).split(":").map(Number);
    return 3600 * h + 60 * m + (s || 0);
  };
  function cityToday(offsetDays = 0) {
    const now = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
    return now.toISOString().slice(0, 10);
  }

  function esc(text) {
    const div = document.createElement("div");
    div.textContent = text ?? "";
    return div.innerHTML;
  }

  function announce(el, html, focus) {
    el.innerHTML = html;
    if (focus) el.focus();
  }

  // The map: Leaflet with no tiles, over the service's own GeoJSON layers.
  async function makeMap(el, city) {
    const map = L.map(el, {
      zoomSnap: 0.25,
      attributionControl: true,
      keyboard: true,
      preferCanvas: false,
    });
    map.attributionControl.setPrefix(false);
    el.setAttribute("role", "region");
    const label = () => {
      el.setAttribute("aria-label", t("map_label"));
      map.attributionControl.remove();
      map.attributionControl = L.control.attribution({ prefix: false }).addTo(map);
      map.attributionControl.addAttribution(t("attribution"));
      for (const a of el.querySelectorAll(".leaflet-control-zoom a")) a.removeAttribute("title");
    };
    label();
    listeners.push(label);
    map.setView([22.995, 120.205], 14);
    const [districts, roads] = await Promise.all([
      fetch(`/v1/geo/${city}/districts`).then((r) => r.json()),
      fetch(`/v1/geo/${city}/roads`).then((r) => r.json()),
    ]);
    const districtLayer = L.geoJSON(districts, {
      style: { color: "#5c5c5c", weight: 1.5, fillColor: "#fbfaf6", fillOpacity: 1, dashArray: "5 4" },
      interactive: false,
    }).addTo(map);
    const major = new Set(["primary", "secondary", "trunk", "tertiary"]);
    const roadLayer = L.geoJSON(roads, {
      style: (f) => ({
        color: major.has(f.properties.highway) ? "#9c9c9c" : "#c4c4c4",
        weight: major.has(f.properties.highway) ? 2.5 : 1.2,
      }),
      interactive: false,
    }).addTo(map);
    const labels = L.layerGroup().addTo(map);
    for (const layer of districtLayer.getLayers()) {
      const p = layer.feature.properties;
      const center = layer.getBounds().getCenter();
      labels.addLayer(
        L.marker(center, {
          icon: L.divIcon({ className: "district-label", html: "", iconSize: [0, 0] }),
          interactive: false,
          keyboard: false,
          district: p,
        }).bindTooltip(lang === "en" ? p.name_en.replace(" District", "") : p.name_zh, {
          permanent: true,
          direction: "center",
          className: "district-tooltip",
        }),
      );
    }
    listeners.push(() => {
      for (const marker of labels.getLayers()) {
        const p = marker.options.district;
        marker.setTooltipContent(lang === "en" ? p.name_en.replace(" District", "") : p.name_zh);
      }
    });
    map.fitBounds(roadLayer.getBounds(), { padding: [10, 10] });
    el.dataset.ready = "true";
    return { map, districtLayer, roadLayer };
  }

  return {
    t,
    translate,
    setupChrome,
    onLanguage: (fn) => listeners.push(fn),
    lang: () => lang,
    api,
    stream,
    ApiError,
    signIn,
    signOut,
    startSignIn,
    setSignOutHook: (fn) => {
      onSignOut = fn;
    },
    setExpiredHook: (fn) => {
      onExpired = fn;
    },
    currentUser,
    hm,
    ymd,
    seconds,
    cityToday,
    esc,
    announce,
    makeMap,
  };
})();
