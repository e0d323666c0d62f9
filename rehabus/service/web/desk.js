// The call-takers' desk: a dispatcher on the phone finds the rider among tens of thousands (by
// name, phone, national ID or certificate number: searched by the service, a page at a time),
// sees their saved places, trips, points and eligibility, books, changes (the new time decided by
// every rule; the old trip kept if it is not accepted) or cancels for them (every rule
// applied by the service, as on the rider's page) and registers new riders. Chinese first with
// English beside it; everything works from the keyboard.
"use strict";

(() => {
  const R = Rehabus;
  const CITY = "tainan";
  const PAGE_SIZE = 10;
  const DEBOUNCE_MS = 250;
  const $ = (id) => document.getElementById(id);

  // ---- words, in both languages ----
  const bi = (zh, en) => `${R.esc(zh)} <span lang="en" class="lang-other">${R.esc(en)}</span>`;
  const pair = (words, key) => (words[key] ? bi(...words[key]) : R.esc(key ?? "–"));
  const LEVEL = {
    mild: ["輕度", "mild"],
    moderate: ["中度", "moderate"],
    severe: ["重度", "severe"],
    profound: ["極重度", "profound"],
  };
  const TYPES = {
    mental: ["第1類 神經系統構造及精神、心智功能", "1: mental functions"],
    sensory: ["第2類 眼、耳及相關構造與感官功能及疼痛", "2: eyes, ears, senses"],
    voice: ["第3類 聲音與言語構造及其功能", "3: voice and speech"],
    circulatory: ["第4類 循環、造血、免疫與呼吸系統", "4: circulation, blood, breathing"],
    digestive: ["第5類 消化、新陳代謝與內分泌系統", "5: digestion, metabolism"],
    urinary: ["第6類 泌尿與生殖系統", "6: urinary and reproductive"],
    physical: ["第7類 神經、肌肉、骨骼之移動相關", "7: movement"],
    skin: ["第8類 皮膚與相關構造", "8: skin"],
  };
  const MOBILITY = {
    walks: ["可步行", "walks"],
    wheelchair: ["輪椅（不下輪椅）", "wheelchair, stays in it"],
    wheelchair_transfer: ["輪椅（可移位）", "wheelchair, can move to a seat"],
  };
  const PURPOSE = {
    dialysis: ["洗腎", "dialysis"],
    medical: ["就醫", "medical"],
    rehabilitation: ["復健", "rehabilitation"],
    work_or_school: ["上班或上學", "work or school"],
    other: ["其他", "other"],
  };
  const STATUS = {
    accepted: ["已接受", "Accepted"],
    waitlisted: ["候補中", "Waitlisted"],
    refused: ["無法預約", "Not possible"],
    cancelled: ["已取消", "Cancelled"],
    no_show: ["未搭乘", "No-show"],
    interrupted: ["行程中斷", "Interrupted"],
  };
  const MATCHED = {
    national_id: ["身分證號", "ID number"],
    certificate_number: ["證明號碼", "certificate number"],
    phone: ["電話", "phone"],
    name: ["姓名", "name"],
  };
  const NETWORK = ["無法連線到服務，請稍後再試。", "The service cannot be reached; please try again."];

  const state = {
    user: null,
    q: "",
    page: 1,
    found: null,
    seq: 0,
    timer: null,
    rider: null,
    places: [],
    facilities: [],
    trips: { upcoming: [], recent: [] },
    confirming: null,
    changing: null,
    key: null,
  };

  function errorHtml(e) {
    if (e instanceof R.ApiError && e.detail.length) {
      return e.detail.map((d) => bi(d.message_zh, d.message_en)).join("<br>");
    }
    return bi(...NETWORK);
  }

  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- the page's frame: larger text, signing in ----
  function setupTextSize() {
    const button = $("text-size");
    const show = () => button.setAttribute("aria-pressed", String(document.documentElement.classList.contains("large-text")));
    document.documentElement.classList.toggle("large-text", localStorage.getItem("rehabus.large") === "1");
    button.addEventListener("click", () => {
      const on = !document.documentElement.classList.contains("large-text");
      document.documentElement.classList.toggle("large-text", on);
      localStorage.setItem("rehabus.large", on ? "1" : "0");
      show();
    });
    show();
  }

  const STAFF_ONLY = ["電話預約台僅限調度員與管理員使用。", "The desk is for dispatchers and admins."];

  async function start() {
    setupTextSize();
    await R.startSignIn({
      roles: ["dispatcher", "admin"],
      refuse: () => ($("sign-in-error").innerHTML = bi(...STAFF_ONLY)),
      failed: (e) => ($("sign-in-error").innerHTML = errorHtml(e)),
      enter: (user) => {
        state.user = user;
        return enter();
      },
    });
  }

  async function enter() {
    $("sign-in-section").hidden = true;
    $("signed-in").hidden = false;
    $("sign-out").hidden = false;
    const who = $("who");
    who.hidden = false;
    who.innerHTML = bi(`已登入：${state.user.display_name || state.user.username}`, `Signed in: ${state.user.username}`);
    setupSearch();
    setupRegister();
    setupBooking();
    $("q").focus();
    try {
      state.facilities = await R.api(`/v1/facilities?city=${CITY}`);
    } catch {
      state.facilities = [];
    }
    fillPlaces();
  }

  // ---- finding a rider ----
  function setupSearch() {
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(state.timer);
      search(1);
    });
    $("q").addEventListener("input", () => {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => search(1), DEBOUNCE_MS);
    });
    $("prev-page").addEventListener("click", () => search(state.page - 1, true));
    $("next-page").addEventListener("click", () => search(state.page + 1, true));
  }

  async function search(page, fromPager = false) {
    const q = $("q").value.trim();
    const status = $("search-status");
    $("search-error").innerHTML = "";
    if (!q) {
      state.found = null;
      status.textContent = "";
      renderResults();
      return;
    }
    const seq = ++state.seq;
    $("results").setAttribute("aria-busy", "true");
    try {
      const params = new URLSearchParams({ q, page: String(page), page_size: String(PAGE_SIZE) });
      const found = await R.api(`/v1/riders/search?${params}`);
      if (seq !== state.seq) return; // a later search has been sent: its answer counts
      state.q = q;
      state.page = page;
      state.found = found;
      const how = found.matched_as.map((m) => MATCHED[m]);
      status.innerHTML = found.total
        ? bi(
            `找到 ${found.total} 位乘客（依${how.map((h) => h[0]).join("、")}）`,
            `${found.total} ${found.total === 1 ? "rider" : "riders"} found (by ${how.map((h) => h[1]).join(", ")})`,
          )
        : bi("找不到符合的乘客。", "No rider matches.");
      renderResults();
      if (fromPager) $("results-table")?.focus();
    } catch (e) {
      if (seq !== state.seq) return;
      state.found = null;
      status.textContent = "";
      renderResults();
      $("search-error").innerHTML = errorHtml(e);
    } finally {
      if (seq === state.seq) $("results").removeAttribute("aria-busy");
    }
  }

  function eligibilityBadge(r) {
    if (r.certificate_expired) return `<span class="badge bad">${bi("證明已過期", "certificate expired")}</span>`;
    if (r.suspended_until && r.suspended_until >= R.cityToday(0)) {
      return `<span class="badge warn">${bi(`停權至 ${r.suspended_until}`, `suspended until ${r.suspended_until}`)}</span>`;
    }
    if (!r.certificate_level && !r.medical_wheelchair_certificate) {
      return `<span class="badge bad">${bi("無證明", "no certificate")}</span>`;
    }
    if (!r.certificate_level) return `<span class="badge warn">${bi("僅限就醫", "medical trips only")}</span>`;
    return `<span class="badge ok">${bi("可預約", "eligible")}</span>`;
  }

  function certificateText(r) {
    if (!r.certificate_level) return bi("無", "none");
    const expiry = r.certificate_expiry
      ? `<span class="mono">${R.esc(r.certificate_expiry)}</span>`
      : bi("期限未登錄", "no expiry on record");
    return `${pair(LEVEL, r.certificate_level)}<br>${expiry}`;
  }

  function renderResults() {
    const found = state.found;
    const box = $("results");
    $("pager").hidden = !found || found.total <= found.page_size;
    if (!found || !found.items.length) {
      box.innerHTML = "";
      return;
    }
    const rows = found.items
      .map(
        (r) =>
          `<tr data-rider="${R.esc(r.id)}"${state.rider?.id === r.id ? ' class="chosen"' : ""}>` +
          `<th scope="row"><button type="button" class="link-button" data-open="${R.esc(r.id)}">${R.esc(r.name)}</button></th>` +
          `<td class="mono">${R.esc(r.national_id_masked || "–")}</td>` +
          `<td class="mono">${R.esc(r.phone || "–")}</td>` +
          `<td>${certificateText(r)}</td>` +
          `<td class="num">${r.cancellation_points}</td>` +
          `<td>${eligibilityBadge(r)}</td></tr>`,
      )
      .join("");
    box.innerHTML =
      `<table class="results-table" id="results-table" tabindex="-1" aria-describedby="search-status">` +
      `<caption class="visually-hidden">搜尋結果 Search results</caption>` +
      `<thead><tr><th scope="col">${bi("姓名", "Name")}</th><th scope="col">${bi("身分證", "ID")}</th>` +
      `<th scope="col">${bi("電話", "Phone")}</th><th scope="col">${bi("證明、期限", "Certificate, until")}</th>` +
      `<th scope="col">${bi("點數", "Points")}</th><th scope="col">${bi("資格", "Eligibility")}</th></tr></thead>` +
      `<tbody>${rows}</tbody></table>`;
    for (const button of box.querySelectorAll("[data-open]")) {
      button.addEventListener("click", () => {
        const rider = state.found.items.find((r) => r.id === button.dataset.open);
        if (rider) openRider(rider);
      });
    }
    const pages = Math.max(1, Math.ceil(found.total / found.page_size));
    $("page-of").innerHTML = bi(`第 ${found.page} / ${pages} 頁`, `page ${found.page} of ${pages}`);
    $("prev-page").disabled = found.page <= 1;
    $("next-page").disabled = found.page >= pages;
  }

  // ---- one rider ----
  async function openRider(rider) {
    state.rider = rider;
    state.confirming = null;
    state.key = null;
    renderResults();
    $("rider-section").hidden = false;
    $("book-section").hidden = false;
    $("desk-help").hidden = true;
    $("answer-block").hidden = true;
    $("book-error").innerHTML = "";
    renderRider();
    $("rider-section").setAttribute("aria-busy", "true");
    try {
      const [fresh, places, trips] = await Promise.all([
        R.api(`/v1/riders/${rider.id}`),
        R.api(`/v1/riders/${rider.id}/places`),
        R.api(`/v1/riders/${rider.id}/trips`),
      ]);
      if (state.rider?.id !== rider.id) return;
      state.rider = fresh;
      state.places = places;
      state.trips = trips;
    } catch (e) {
      $("trips-status").innerHTML = errorHtml(e);
    } finally {
      $("rider-section").removeAttribute("aria-busy");
    }
    renderRider();
    renderTrips();
    fillPlaces();
    $("book-mobility").value = state.rider.mobility;
    $("book-date").value = R.cityToday(1);
    $("book-date").min = R.cityToday(0);
    $("book-date").max = R.cityToday(7);
    if (!$("book-time").value) $("book-time").value = "10:00";
    $("rider-heading").focus();
  }

  function renderRider() {
    const r = state.rider;
    $("rider-heading").innerHTML = `${R.esc(r.name)} <span class="lang-other">${bi("乘客資料", "rider")}</span>`;
    $("eligibility").innerHTML = eligibilityBadge(r) + (r.certificate_expired ? ` ${bi(`證明已於 ${r.certificate_expiry} 到期，預約將被拒絕；請先辦理重新鑑定或換發。`, `The certificate expired on ${r.certificate_expiry}: bookings will be refused until it is renewed.`)}` : "");
    const rows = [
      [bi("身分證號", "ID number"), R.esc(r.national_id_masked || "–")],
      [bi("電話", "Phone"), R.esc(r.phone || "–")],
      [bi("出生日期", "Born"), R.esc(r.birth_date)],
      [bi("行動方式", "Mobility"), pair(MOBILITY, r.mobility)],
      [bi("證明等級", "Certificate level"), r.certificate_level ? pair(LEVEL, r.certificate_level) : bi("無", "none")],
      [bi("障礙類別", "Type"), r.certificate_type ? pair(TYPES, r.certificate_type) : "–"],
      [bi("證明號碼", "Certificate number"), R.esc(r.certificate_number || "–")],
      [bi("有效期限", "Valid until"), r.certificate_expiry ? R.esc(r.certificate_expiry) : bi("未登錄", "not on record")],
      [bi("違規點數", "Penalty points"), String(r.cancellation_points)],
      [bi("停權", "Suspension"), r.suspended_until ? R.esc(r.suspended_until) : bi("無", "none")],
      [bi("低收入戶", "Low-income"), r.low_income ? bi("是", "yes") : bi("否", "no")],
    ];
    $("rider-facts").innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("");
    $("places").innerHTML = state.places.length
      ? state.places.map((p) => `<li>${R.esc(p.label)}${p.address ? `・${R.esc(p.address)}` : ""}</li>`).join("")
      : `<li>${bi("沒有常用地點；可從醫院與診所清單選擇。", "No saved places: choose from the hospitals and clinics.")}</li>`;
  }

  const placeText = (p) => p.address || p.district || `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`;

  function whenText(b) {
    if (b.promised_window) return `${R.hm(b.promised_window.start)}–${R.hm(b.promised_window.end)}`;
    if (b.appointment_at) return bi(`看診 ${R.hm(b.appointment_at)}`, `appointment ${R.hm(b.appointment_at)}`);
    return bi(`上車 ${R.hm(b.requested_pickup_at)}`, `pickup ${R.hm(b.requested_pickup_at)}`);
  }

  function tripLine(b) {
    return (
      `<strong>${R.esc(b.service_date)}</strong> ${whenText(b)} · ${pair(PURPOSE, b.purpose)} · ` +
      `<span class="status ${R.esc(b.status)}">${pair(STATUS, b.status)}</span><br>` +
      `${R.esc(placeText(b.pickup))} → ${R.esc(placeText(b.dropoff))}`
    );
  }

  const OPEN = ["accepted", "waitlisted"];

  // A trip's change, asked for on the phone: a new date and time (of the same kind, pickup or
  // appointment); the service decides it as a new booking and keeps the old one if it cannot.
  function changeForm(b) {
    const id = R.esc(b.id);
    const appointment = Boolean(b.appointment_at);
    const time = R.hm(appointment ? b.appointment_at : b.requested_pickup_at);
    const kind = appointment ? bi("新的看診時刻", "New appointment time") : bi("新的上車時刻", "New pickup time");
    return (
      `<form class="change-form" data-change-form="${id}" data-kind="${appointment ? "appointment_at" : "pickup_at"}" aria-labelledby="change-title-${id}" novalidate>` +
      `<p id="change-title-${id}"><strong>${bi(`更改 ${b.service_date} 的行程`, `Change the trip on ${b.service_date}`)}</strong></p>` +
      `<div class="form-grid"><div class="field"><label for="change-date-${id}">${bi("新日期", "New date")}</label>` +
      `<input type="date" id="change-date-${id}" name="date" required value="${R.esc(b.service_date)}" aria-describedby="change-error-${id}"></div>` +
      `<div class="field"><label for="change-time-${id}">${kind}</label>` +
      `<input type="time" id="change-time-${id}" name="time" required step="300" value="${R.esc(time)}" aria-describedby="change-error-${id}"></div></div>` +
      `<p class="field-error" id="change-error-${id}" tabindex="-1"></p>` +
      `<div class="actions"><button type="submit">${bi("送出更改", "Submit the change")}</button>` +
      `<button type="button" class="secondary" data-unchange="${id}">${bi("不更改", "Keep the trip as it is")}</button></div></form>`
    );
  }

  // Trips to come are the accepted and waitlisted ones; refused and cancelled requests for the
  // days ahead are listed with the past ones.
  function renderTrips() {
    const upcoming = state.trips.upcoming.filter((b) => OPEN.includes(b.status));
    const recent = [...state.trips.upcoming.filter((b) => !OPEN.includes(b.status)).reverse(), ...state.trips.recent];
    const n = upcoming.length;
    $("trips-status").innerHTML = n
      ? bi(`共 ${n} 筆即將出發的行程。`, `${n} ${n === 1 ? "trip" : "trips"} to come.`)
      : bi("沒有即將出發的行程。", "No trips to come.");
    $("upcoming").innerHTML = upcoming
      .map((b) => {
        const actions =
          state.confirming === b.id
            ? `<p id="confirm-${R.esc(b.id)}">${bi(`確定取消 ${b.service_date} 的行程？`, `Cancel the trip on ${b.service_date}?`)}</p>` +
              `<div class="actions"><button type="button" class="danger" data-confirm="${R.esc(b.id)}" aria-describedby="confirm-${R.esc(b.id)}">${bi("確定取消", "Yes, cancel it")}</button>` +
              `<button type="button" class="secondary" data-keep="${R.esc(b.id)}">${bi("保留行程", "Keep the trip")}</button></div>`
            : state.changing === b.id
              ? changeForm(b)
              : `<div class="actions"><button type="button" class="secondary" data-change="${R.esc(b.id)}">${bi("改期／更改此行程", "Change this trip")}</button>` +
                `<button type="button" class="secondary" data-cancel="${R.esc(b.id)}">${bi("取消此行程", "Cancel this trip")}</button></div>`;
        return `<li data-booking="${R.esc(b.id)}">${tripLine(b)}${actions}</li>`;
      })
      .join("");
    $("recent").innerHTML = recent.length
      ? recent.map((b) => `<li data-booking="${R.esc(b.id)}">${tripLine(b)}</li>`).join("")
      : `<li>${bi("沒有其他行程。", "No other trips.")}</li>`;
    const list = $("upcoming");
    for (const button of list.querySelectorAll("[data-cancel]")) {
      button.addEventListener("click", () => {
        state.confirming = button.dataset.cancel;
        renderTrips();
        list.querySelector(`[data-confirm="${CSS.escape(state.confirming)}"]`).focus();
      });
    }
    for (const button of list.querySelectorAll("[data-keep]")) {
      button.addEventListener("click", () => {
        const id = button.dataset.keep;
        state.confirming = null;
        renderTrips();
        list.querySelector(`[data-cancel="${CSS.escape(id)}"]`).focus();
      });
    }
    for (const button of list.querySelectorAll("[data-confirm]")) {
      button.addEventListener("click", () => cancelTrip(button.dataset.confirm));
    }
    for (const button of list.querySelectorAll("[data-change]")) {
      button.addEventListener("click", () => {
        state.changing = button.dataset.change;
        state.confirming = null;
        renderTrips();
        $(`change-date-${state.changing}`).focus();
      });
    }
    for (const button of list.querySelectorAll("[data-unchange]")) {
      button.addEventListener("click", () => {
        const id = button.dataset.unchange;
        state.changing = null;
        renderTrips();
        list.querySelector(`[data-change="${CSS.escape(id)}"]`).focus();
      });
    }
    for (const form of list.querySelectorAll("[data-change-form]")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        changeTrip(form);
      });
    }
  }

  async function changeTrip(form) {
    const id = form.dataset.changeForm;
    const date = form.elements.date.value;
    const time = form.elements.time.value;
    const error = $(`change-error-${id}`);
    for (const input of [form.elements.date, form.elements.time]) input.removeAttribute("aria-invalid");
    if (!date || !time) {
      error.innerHTML = bi("請填寫新的日期與時刻。", "Give the new date and time.");
      (date ? form.elements.time : form.elements.date).setAttribute("aria-invalid", "true");
      error.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const b = await R.api(`/v1/bookings/${id}/change`, {
        method: "POST",
        body: { [form.dataset.kind]: `${date}T${time}:00` },
      });
      state.changing = null;
      await refreshTrips();
      const status = pair(STATUS, b.status);
      $("trips-status").innerHTML =
        bi(`已更改：新的行程 ${b.service_date} `, `Changed: the new trip on ${b.service_date}, `) +
        `${whenText(b)}（${status}）。` +
        bi(" 原行程已取消，不計違規點數。", " The old trip is cancelled, with no penalty points.");
      $("upcoming-heading").focus();
    } catch (e) {
      error.innerHTML =
        bi("未更改，原行程不變：", "Not changed; the trip stays as it was: ") + "<br>" + errorHtml(e);
      const field = e instanceof R.ApiError && e.detail[0]?.field;
      if (field === "pickup_at" || field === "appointment_at") form.elements.time.setAttribute("aria-invalid", "true");
      error.focus();
    } finally {
      button.disabled = false;
    }
  }

  async function refreshTrips() {
    state.trips = await R.api(`/v1/riders/${state.rider.id}/trips`);
    renderTrips();
  }

  async function cancelTrip(id) {
    try {
      const b = await R.api(`/v1/bookings/${id}/cancel`, { method: "POST" });
      state.confirming = null;
      state.rider = await R.api(`/v1/riders/${state.rider.id}`);
      renderRider();
      await refreshTrips();
      const late = b.late_cancellation ? bi(" 此為逾時取消，將記違規點數。", " A late cancellation: penalty points apply.") : "";
      $("trips-status").innerHTML = bi(`已取消 ${b.service_date} 的行程。`, `The trip on ${b.service_date} is cancelled.`) + late;
      $("upcoming-heading").focus();
    } catch (e) {
      $("trips-status").innerHTML = errorHtml(e);
    }
  }

  // ---- booking for the rider ----
  function setupBooking() {
    $("book-form").addEventListener("submit", submitBooking);
    $("book-form").addEventListener("input", () => {
      state.key = null;
    });
    $("book-form").addEventListener("change", () => {
      state.key = null;
    });
  }

  function fillPlaces() {
    for (const end of ["pickup", "dropoff"]) {
      const select = $(`${end}-place`);
      const before = select.value;
      const saved = state.places.map((p) => `<option value="saved:${p.id}">${R.esc(p.label)}</option>`).join("");
      const facilities = state.facilities
        .map((f) => `<option value="fac:${R.esc(f.id)}">${R.esc(f.name)}・${R.esc(f.district)}</option>`)
        .join("");
      select.innerHTML =
        `<option value="">請選擇… Choose…</option>` +
        (saved ? `<optgroup label="常用地點 Saved places">${saved}</optgroup>` : "") +
        `<optgroup label="醫院與診所 Hospitals and clinics">${facilities}</optgroup>`;
      if ([...select.options].some((o) => o.value === before)) select.value = before;
    }
  }

  function placeOf(end) {
    const value = $(`${end}-place`).value;
    if (value.startsWith("saved:")) {
      const p = state.places.find((x) => `saved:${x.id}` === value);
      return p && { lat: p.lat, lon: p.lon, address: [p.label, p.address].filter(Boolean).join(" ").slice(0, 255) };
    }
    if (value.startsWith("fac:")) {
      const f = state.facilities.find((x) => `fac:${x.id}` === value);
      return f && { lat: f.lat, lon: f.lon, address: [f.name, f.address].filter(Boolean).join(" ").slice(0, 255) };
    }
    return null;
  }

  function bookInvalid(field, zh, en) {
    $("book-error").innerHTML = bi(zh, en);
    $(field).setAttribute("aria-invalid", "true");
    $(field).focus();
  }

  async function submitBooking(event) {
    event.preventDefault();
    for (const el of $("book-form").querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    $("book-error").innerHTML = "";
    const pickup = placeOf("pickup");
    const dropoff = placeOf("dropoff");
    if (!pickup) return bookInvalid("pickup-place", "請選擇上車地點。", "Choose the pickup.");
    if (!dropoff) return bookInvalid("dropoff-place", "請選擇下車地點。", "Choose the drop-off.");
    const date = $("book-date").value;
    const time = $("book-time").value;
    if (!date) return bookInvalid("book-date", "請填寫日期。", "Give the date.");
    if (!time) return bookInvalid("book-time", "請填寫時刻。", "Give the time.");
    const body = {
      rider_id: state.rider.id,
      pickup,
      dropoff,
      purpose: $("purpose").value,
      mobility: $("book-mobility").value,
      companions: Number($("companions").value),
      shared_ok: $("shared").checked,
      note: $("note").value.trim(),
    };
    body[$("time-kind").value === "pickup" ? "pickup_at" : "appointment_at"] = `${date}T${time}:00`;
    state.key = state.key || newKey();
    const button = $("book-button");
    button.disabled = true;
    try {
      const answer = await R.api("/v1/bookings", { method: "POST", body, headers: { "Idempotency-Key": state.key } });
      state.key = null;
      renderAnswer(answer);
      await refreshTrips();
    } catch (e) {
      const error = $("book-error");
      error.innerHTML = errorHtml(e);
      const field = e instanceof R.ApiError && e.detail[0]?.field;
      const ids = { pickup_at: "book-time", appointment_at: "book-time", pickup: "pickup-place", dropoff: "dropoff-place" };
      const target = field && ids[field.split(".")[0]];
      if (target) $(target).setAttribute("aria-invalid", "true");
      error.setAttribute("tabindex", "-1");
      error.focus();
    } finally {
      button.disabled = false;
    }
  }

  function renderAnswer(b) {
    $("answer-block").hidden = false;
    const facts = [];
    if (b.promised_window) {
      facts.push([bi("承諾上車時間", "Pickup window"), `${R.esc(R.ymd(b.promised_window.start))} ${R.hm(b.promised_window.start)}–${R.hm(b.promised_window.end)}`]);
    }
    if (b.estimated_pickup_at) facts.push([bi("預計上車", "Estimated pickup"), R.hm(b.estimated_pickup_at)]);
    if (b.estimated_dropoff_at) facts.push([bi("預計抵達", "Estimated arrival"), R.hm(b.estimated_dropoff_at)]);
    if (b.fare && b.status !== "refused") {
      facts.push([bi("車資", "Fare"), bi(`${b.fare.amount_twd} 元（共乘 ${b.fare.amount_if_shared_twd} 元）`, `${b.fare.amount_twd} TWD (${b.fare.amount_if_shared_twd} if shared)`)]);
    }
    if (b.vehicle_id) facts.push([bi("車輛", "Bus"), R.esc(b.vehicle_id)]);
    if (b.reason) facts.push([bi("依據規則", "Rule"), `<code>${R.esc(b.reason)}</code>`]);
    const alternatives = (b.alternatives || []).map((a) => `<li>${bi(a.message_zh, a.message_en)}</li>`).join("");
    $("answer").innerHTML =
      `<div class="answer ${R.esc(b.status)}" data-booking="${R.esc(b.id)}">` +
      `<p class="status ${R.esc(b.status)}">${pair(STATUS, b.status)}</p>` +
      (b.message_zh ? `<p class="reason">${bi(b.message_zh, b.message_en)}</p>` : "") +
      `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>` +
      (alternatives ? `<h4>${bi("其他選擇", "Other options")}</h4><ul>${alternatives}</ul>` : "") +
      `</div>`;
    $("answer-heading").focus();
  }

  // ---- registering a new rider ----
  const FIELDS = [
    "name",
    "phone",
    "birth_date",
    "mobility",
    "national_id",
    "certificate_level",
    "certificate_type",
    "certificate_number",
    "certificate_expiry",
  ];

  function setupRegister() {
    $("reg-certificate_type").innerHTML =
      `<option value="">未填 Not given</option>` +
      Object.entries(TYPES)
        .map(([value, [zh, en]]) => `<option value="${value}">${R.esc(zh)}｜${R.esc(en)}</option>`)
        .join("");
    const toggle = (open) => {
      $("register-section").hidden = !open;
      $("register-open").setAttribute("aria-expanded", String(open));
      if (open) $("reg-name").focus();
      else $("register-open").focus();
    };
    $("register-open").addEventListener("click", () => toggle($("register-section").hidden));
    $("register-close").addEventListener("click", () => toggle(false));
    $("register-form").addEventListener("submit", register);
  }

  function clearFieldErrors() {
    $("register-error").innerHTML = "";
    for (const name of FIELDS) {
      $(`reg-${name}-error`).innerHTML = "";
      $(`reg-${name}`).removeAttribute("aria-invalid");
    }
  }

  function fieldError(name, html) {
    const known = FIELDS.includes(name);
    const target = known ? $(`reg-${name}-error`) : $("register-error");
    target.innerHTML = target.innerHTML ? `${target.innerHTML}<br>${html}` : html;
    if (known) $(`reg-${name}`).setAttribute("aria-invalid", "true");
    return known ? `reg-${name}` : null;
  }

  async function register(event) {
    event.preventDefault();
    clearFieldErrors();
    const value = (name) => $(`reg-${name}`).value.trim();
    const body = { city: CITY, name: value("name"), birth_date: value("birth_date"), mobility: value("mobility") };
    for (const name of ["phone", "national_id", "certificate_level", "certificate_type", "certificate_number", "certificate_expiry"]) {
      if (value(name)) body[name] = value(name);
    }
    body.low_income = $("reg-low_income").checked;
    body.medical_wheelchair_certificate = $("reg-medical_wheelchair_certificate").checked;
    const missing = [];
    if (!body.name) missing.push(fieldError("name", bi("請填寫姓名。", "Give the name.")));
    if (!body.birth_date) missing.push(fieldError("birth_date", bi("請填寫出生日期。", "Give the date of birth.")));
    if (missing.length) {
      $("register-error").innerHTML = bi("請修正標示的欄位。", "Correct the fields marked.");
      $(missing[0]).focus();
      return;
    }
    const button = $("register-button");
    button.disabled = true;
    try {
      const rider = await R.api("/v1/riders", { method: "POST", body });
      $("register-form").reset();
      $("register-section").hidden = true;
      $("register-open").setAttribute("aria-expanded", "false");
      $("search-status").innerHTML = bi(`已登記新乘客「${rider.name}」。`, `Rider “${rider.name}” registered.`);
      await openRider(rider);
    } catch (e) {
      if (!(e instanceof R.ApiError) || !e.detail.length) {
        $("register-error").innerHTML = bi(...NETWORK);
        return;
      }
      let first = null;
      for (const d of e.detail) {
        const id = fieldError(d.field, bi(d.message_zh, d.message_en));
        first = first || id;
      }
      if (first) {
        $("register-error").innerHTML = bi("請修正標示的欄位。", "Correct the fields marked.");
        $(first).focus();
      } else {
        $("register-error").setAttribute("tabindex", "-1");
        $("register-error").focus();
      }
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
