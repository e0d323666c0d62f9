// The rider's booking page: sign in, book (places from saved places, hospitals and clinics, or
// the map), see the answer, see and cancel upcoming trips, follow today's and tomorrow's as they
// run (the bus on its way, arriving, on board) with the messages sent; caregivers book for their
// riders.
"use strict";

(() => {
  const R = Rehabus;
  const CITY = "tainan";
  const $ = (id) => document.getElementById(id);
  const STRINGS = {
    "zh-Hant": {
      title: "復康巴士預約 · rehabus",
      heading: "復康巴士預約",
      sign_in_heading: "登入",
      book_heading: "預約行程",
      for_rider: "為哪位乘客預約",
      pickup_place: "上車地點",
      dropoff_place: "下車地點",
      choose_place: "選擇地點",
      choose: "請選擇…",
      saved_places: "我的常用地點",
      facilities: "醫院與診所（衛福部名單）",
      map_point: "地圖上選的點（{lat}, {lon}）",
      approximate: "（位置約略，依地址的里）",
      approximate_district: "（位置約略，依行政區）",
      address_note: "地址或說明（選填）",
      place_hint: "可從常用地點、醫院與診所清單選擇，或在地圖上點選。",
      map_sets: "在地圖上點選時設定",
      save_place: "把地圖上選的點存為常用地點",
      place_saved: "已將「{label}」存為常用地點。",
      new_place: "常用地點 {n}",
      when: "時間",
      date: "日期",
      time_kind: "時間是",
      appointment_time: "看診（到達）時間",
      pickup_time: "上車時間",
      time: "時刻",
      time_hint: "服務時間 06:00–23:00，可預約 1 至 7 天內的行程。",
      purpose: "目的",
      companions: "陪同人數",
      mobility: "行動方式",
      shared_ok: "願意與其他乘客共乘（車資較低）",
      note: "給司機的備註（選填）",
      note_hint: "例如：在哪裡等車、有無樓梯、需要協助的事。",
      submit_booking: "送出預約",
      booking: "預約中…",
      answer_heading: "預約結果",
      trips_heading: "即將出發的行程",
      no_trips: "目前沒有即將出發的行程。",
      trips_count: "共 {n} 筆即將出發的行程。",
      live_scheduled: "車輛尚未出發前來。",
      live_on_the_way: "車輛 {v} 正前往接您，預計 {t} 到達。",
      live_arriving: "車輛 {v} 即將到達（預計 {t}），請準備上車。",
      live_on_board: "您已上車，預計 {t} 抵達目的地。",
      live_arrived: "已抵達目的地。",
      live_no_show: "司機未接到您，已記錄為未搭乘。",
      live_cancelled: "此行程已取消。",
      live_not_planned: "此行程目前未排入車輛。",
      live_late: "車輛延誤，時間已更新。",
      bus_here: "車輛 {v} 目前位置",
      notices_heading: "通知",
      no_notices: "目前沒有通知。",
      window: "上車時間窗",
      est_pickup: "預計上車",
      est_arrival: "預計到達",
      fare: "車資",
      fare_text: "新臺幣 {a} 元（共乘時 {s} 元）",
      vehicle: "車輛",
      reason: "原因",
      alternatives: "其他選擇",
      take_alternative: "改約 {t} 上車",
      route: "路線",
      rider_name: "乘客",
      appointment_at: "看診時間 {t}",
      pickup_at: "上車時間 {t}",
      cancel_trip: "取消此行程",
      confirm_cancel: "確定要取消 {d} 的行程嗎？",
      yes_cancel: "確定取消",
      keep_trip: "保留行程",
      cancelled_ok: "已取消 {d} 的行程。",
      late_cancel: "此為逾時取消，將依規定記點。",
      missing_place: "請選擇{what}。",
      missing_time: "請填寫日期與時刻。",
      not_booker: "此帳號不能預約行程；調度員請使用調度台。",
      home: "首頁",
      data_note: "資料：道路 © OpenStreetMap 貢獻者；行政區界 內政部；醫療院所 衛生福利部。",
    },
    en: {
      title: "Book a rehab bus · rehabus",
      heading: "Book a rehabilitation bus",
      sign_in_heading: "Sign in",
      book_heading: "Book a trip",
      for_rider: "Booking for",
      pickup_place: "Pickup place",
      dropoff_place: "Drop-off place",
      choose_place: "Choose a place",
      choose: "Choose…",
      saved_places: "My saved places",
      facilities: "Hospitals and clinics (MOHW list)",
      map_point: "Point picked on the map ({lat}, {lon})",
      approximate: " (approximate: its village)",
      approximate_district: " (approximate: its district)",
      address_note: "Address or note (optional)",
      place_hint: "Choose from your saved places or the list of hospitals and clinics, or click the map.",
      map_sets: "A click on the map sets the",
      save_place: "Save the point picked on the map as a place",
      place_saved: "“{label}” is saved to your places.",
      new_place: "Place {n}",
      when: "When",
      date: "Date",
      time_kind: "The time is the",
      appointment_time: "Appointment (arrival) time",
      pickup_time: "Pickup time",
      time: "Time",
      time_hint: "Service hours 06:00–23:00; trips can be booked 1 to 7 days ahead.",
      purpose: "Purpose",
      companions: "Companions",
      mobility: "Mobility",
      shared_ok: "I can share the bus with other riders (lower fare)",
      note: "A note for the driver (optional)",
      note_hint: "For example: where you will wait, stairs, help you need.",
      submit_booking: "Book this trip",
      booking: "Booking…",
      answer_heading: "Your booking",
      trips_heading: "Upcoming trips",
      no_trips: "No upcoming trips.",
      trips_count: "{n} upcoming trips.",
      live_scheduled: "The bus has not set out for you yet.",
      live_on_the_way: "Bus {v} is on its way to you, expected at {t}.",
      live_arriving: "Bus {v} is arriving (expected {t}): please be ready.",
      live_on_board: "You are on board; expected at your destination at {t}.",
      live_arrived: "Arrived at your destination.",
      live_no_show: "The driver did not find you: recorded as a no-show.",
      live_cancelled: "This trip was cancelled.",
      live_not_planned: "This trip is not on a bus at the moment.",
      live_late: "The bus is late; the times are updated.",
      bus_here: "Where bus {v} is now",
      notices_heading: "Messages",
      no_notices: "No messages.",
      window: "Pickup window",
      est_pickup: "Estimated pickup",
      est_arrival: "Estimated arrival",
      fare: "Fare",
      fare_text: "NT$ {a} (NT$ {s} when shared)",
      vehicle: "Bus",
      reason: "Reason",
      alternatives: "Other options",
      take_alternative: "Book a pickup at {t} instead",
      route: "Route",
      rider_name: "Rider",
      appointment_at: "appointment {t}",
      pickup_at: "pickup {t}",
      cancel_trip: "Cancel this trip",
      confirm_cancel: "Cancel the trip on {d}?",
      yes_cancel: "Yes, cancel it",
      keep_trip: "Keep the trip",
      cancelled_ok: "The trip on {d} is cancelled.",
      late_cancel: "This is a late cancellation: penalty points apply.",
      missing_place: "Choose the {what}.",
      missing_time: "Give the date and the time.",
      not_booker: "This account cannot book trips; dispatchers use the console.",
      home: "Home",
      data_note: "Data: roads © OpenStreetMap contributors; districts: Ministry of the Interior; medical institutions: Ministry of Health and Welfare.",
    },
  };

  const state = {
    user: null,
    riders: [],
    places: [],
    facilities: [],
    mapPoints: { pickup: null, dropoff: null },
    markers: { pickup: null, dropoff: null },
    map: null,
    answer: null,
    trips: [],
    confirming: null,
    idempotencyKey: null,
    live: new Map(),
    streams: new Map(),
    busMarker: null,
    notices: [],
  };

  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- signing in ----
  async function start() {
    R.setupChrome(STRINGS);
    R.onLanguage(() => {
      fillPlaces();
      renderAnswer(false);
      renderTrips();
      if (state.user) renderNotices();
      showWho();
    });
    R.setSignOutHook(() => location.reload());
    $("sign-out").addEventListener("click", () => R.signOut());
    $("sign-in-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = $("sign-in-error");
      error.textContent = "";
      try {
        state.user = await R.signIn($("username").value.trim(), $("password").value);
        await enter();
      } catch (e) {
        error.textContent = e instanceof R.ApiError ? e.text() : String(e);
        $("password").focus();
      }
    });
    const user = await R.currentUser();
    if (user) {
      state.user = user;
      await enter();
    }
  }

  function showWho() {
    if (!state.user) return;
    const who = $("who");
    who.hidden = false;
    who.textContent = R.t("signed_in", { name: state.user.display_name || state.user.username, role: R.t("role_" + state.user.role) });
  }

  async function enter() {
    $("sign-in-section").hidden = true;
    $("signed-in").hidden = false;
    $("sign-out").hidden = false;
    showWho();
    if (!["rider", "caregiver", "dispatcher", "admin"].includes(state.user.role)) {
      $("book-error").textContent = R.t("not_booker");
      $("book-button").disabled = true;
      return;
    }
    const [riders, facilities] = await Promise.all([
      R.api("/v1/riders"),
      R.api(`/v1/facilities?city=${CITY}`),
    ]);
    state.riders = riders;
    state.facilities = facilities;
    const select = $("rider");
    select.innerHTML = riders.map((r) => `<option value="${R.esc(r.id)}">${R.esc(r.name)}</option>`).join("");
    if (state.user.rider_id) select.value = state.user.rider_id;
    $("rider-choice").hidden = state.user.role === "rider";
    select.addEventListener("change", riderChanged);
    $("date").value = R.cityToday(1);
    $("date").min = R.cityToday(0);
    $("date").max = R.cityToday(7);
    $("time").value = "10:00";
    for (const input of document.querySelectorAll("input[name=time-kind]")) {
      input.addEventListener("change", () => {
        const kind = document.querySelector("input[name=time-kind]:checked").value;
        $("time-label").textContent = R.t(kind === "pickup" ? "pickup_time" : "appointment_time");
      });
    }
    $("book-form").addEventListener("submit", submitBooking);
    $("book-form").addEventListener("input", () => {
      state.idempotencyKey = null;
    });
    for (const end of ["pickup", "dropoff"]) {
      $(`${end}-place`).addEventListener("change", () => {
        showMarker(end);
        state.idempotencyKey = null;
      });
    }
    await riderChanged();
    setupMap();
    await loadTrips();
    follow();
    $("main").focus();
  }

  // ---- the trips of today and tomorrow as they run (pushed by the service), and the messages
  // sent (asked every NOTICES_S, and whenever a trip changes) ----
  const NOTICES_S = 20;
  function follow() {
    followTrips();
    loadNotices().finally(() => setTimeout(follow, NOTICES_S * 1000));
  }

  function followTrips() {
    const days = [R.cityToday(0), R.cityToday(1)];
    const wanted = new Set(
      state.trips
        .filter((b) => b.status === "accepted" && days.includes(b.service_date))
        .slice(0, 10)
        .map((b) => b.id),
    );
    for (const [id, controller] of state.streams) {
      if (!wanted.has(id)) {
        controller.abort();
        state.streams.delete(id);
        state.live.delete(id);
      }
    }
    for (const id of wanted) if (!state.streams.has(id)) openTrip(id, 0);
  }

  // One trip's stream; opened again after 5 s, then 10, up to 30, when it drops.
  function openTrip(id, retry) {
    const controller = new AbortController();
    state.streams.set(id, controller);
    const onEvent = (kind, data) => {
      if (kind !== "trip") return;
      state.live.set(id, data);
      showLive(id);
      showBus();
      loadNotices();
    };
    R.stream(`/v1/bookings/${id}/live/stream`, onEvent, controller.signal)
      .catch(() => {})
      .finally(() => {
        if (controller.signal.aborted || state.streams.get(id) !== controller) return;
        setTimeout(() => state.streams.get(id) === controller && openTrip(id, retry + 1), Math.min(30, 5 * 2 ** retry) * 1000);
      });
  }

  async function loadNotices() {
    try {
      const query = state.user.role === "rider" ? "" : `&rider_id=${encodeURIComponent($("rider").value)}`;
      const notices = await R.api(`/v1/notifications?limit=20${query}`);
      state.notices = notices.filter((n) => n.channel === "page");
      renderNotices();
    } catch {
      // asked again in a moment
    }
  }

  // One trip's live line, changed in place (re-drawing the list would take the focus away).
  function showLive(id) {
    const item = $("trips").querySelector(`li[data-booking="${CSS.escape(id)}"]`);
    const live = state.live.get(id);
    if (!item || !live) return;
    let line = item.querySelector(".live");
    if (!line) {
      line = document.createElement("p");
      line.className = "live";
      line.setAttribute("role", "status");
      item.querySelector("h3").after(line);
    }
    line.dataset.liveState = live.state;
    line.textContent = liveText(live);
  }

  function liveText(l) {
    const t = R.hm(l.state === "on_board" ? l.estimate_dropoff : l.estimate_pickup);
    return R.t(`live_${l.state}`, { v: l.vehicle_id, t }) + (l.late ? ` ${R.t("live_late")}` : "");
  }

  function renderNotices() {
    $("notices").innerHTML = state.notices.length
      ? state.notices
          .map((n) => `<li data-notice="${R.esc(n.kind)}"><time>${R.esc(R.hm(n.created_at))}</time> ${R.esc(R.lang() === "en" ? n.text_en : n.text_zh)}</li>`)
          .join("")
      : `<li>${R.esc(R.t("no_notices"))}</li>`;
  }

  // The bus, on the map, while it comes for the rider or carries them.
  function showBus() {
    if (!state.map) return;
    state.busMarker?.remove();
    state.busMarker = null;
    const shown = [...state.live.values()].find((l) => l.position);
    if (!shown) return;
    state.busMarker = L.circleMarker([shown.position.lat, shown.position.lon], {
      radius: 12,
      color: "#111",
      weight: 3,
      fillColor: "#ffd60a",
      fillOpacity: 1,
      className: "rider-bus",
    })
      .bindTooltip(R.t("bus_here", { v: shown.vehicle_id }))
      .addTo(state.map);
  }

  async function riderChanged() {
    const rider = currentRider();
    const form = $("book-form");
    form.setAttribute("aria-busy", "true");
    try {
      state.places = rider ? await R.api(`/v1/riders/${rider.id}/places`) : [];
    } finally {
      form.removeAttribute("aria-busy");
    }
    fillPlaces();
    const mobility = rider ? rider.mobility : "walks";
    document.querySelector(`input[name=mobility][value=${mobility}]`).checked = true;
  }

  const currentRider = () => state.riders.find((r) => r.id === $("rider").value) || state.riders[0];

  // ---- places ----
  function fillPlaces() {
    if (!state.user) return;
    for (const end of ["pickup", "dropoff"]) {
      const select = $(`${end}-place`);
      const before = select.value;
      const saved = state.places
        .map((p) => `<option value="saved:${p.id}">${R.esc(p.label)}</option>`)
        .join("");
      const facilities = state.facilities
        .map((f) => {
          const note = f.located === "village" ? R.t("approximate") : f.located === "district" ? R.t("approximate_district") : "";
          return `<option value="fac:${R.esc(f.id)}">${R.esc(f.name)}・${R.esc(f.district)}${R.esc(note)}</option>`;
        })
        .join("");
      const point = state.mapPoints[end];
      const mapOption = point
        ? `<option value="map:${end}">${R.esc(R.t("map_point", { lat: point.lat.toFixed(5), lon: point.lon.toFixed(5) }))}</option>`
        : "";
      select.innerHTML =
        `<option value="">${R.esc(R.t("choose"))}</option>${mapOption}` +
        (saved ? `<optgroup label="${R.esc(R.t("saved_places"))}">${saved}</optgroup>` : "") +
        `<optgroup label="${R.esc(R.t("facilities"))}">${facilities}</optgroup>`;
      if ([...select.options].some((o) => o.value === before)) select.value = before;
    }
  }

  function placeOf(end) {
    const value = $(`${end}-place`).value;
    const note = $(`${end}-note`).value.trim();
    if (value.startsWith("saved:")) {
      const p = state.places.find((x) => `saved:${x.id}` === value);
      return { lat: p.lat, lon: p.lon, address: [p.label, p.address, note].filter(Boolean).join(" ").slice(0, 255) };
    }
    if (value.startsWith("fac:")) {
      const f = state.facilities.find((x) => `fac:${x.id}` === value);
      return { lat: f.lat, lon: f.lon, address: [f.name, f.address, note].filter(Boolean).join(" ").slice(0, 255) };
    }
    if (value.startsWith("map:") && state.mapPoints[end]) {
      const p = state.mapPoints[end];
      return { lat: p.lat, lon: p.lon, address: note.slice(0, 255) };
    }
    return null;
  }

  function mapTarget() {
    return document.querySelector("input[name=map-target]:checked").value;
  }

  function updateSaveButton() {
    $("save-place").disabled = !state.mapPoints[mapTarget()];
  }

  async function savePlace() {
    const end = mapTarget();
    const point = state.mapPoints[end];
    const rider = currentRider();
    if (!point || !rider) return;
    const label = ($(`${end}-note`).value.trim() || R.t("new_place", { n: state.places.length + 1 })).slice(0, 64);
    try {
      const place = await R.api(`/v1/riders/${rider.id}/places`, {
        method: "POST",
        body: { label, lat: point.lat, lon: point.lon },
      });
      state.places.push(place);
      state.mapPoints[end] = null;
      fillPlaces();
      $(`${end}-place`).value = `saved:${place.id}`;
      $(`${end}-note`).value = "";
      updateSaveButton();
      $("save-status").textContent = R.t("place_saved", { label: place.label });
    } catch (e) {
      $("save-status").textContent = e instanceof R.ApiError ? e.text() : String(e);
    }
  }

  async function setupMap() {
    $("save-place").addEventListener("click", savePlace);
    for (const input of document.querySelectorAll("input[name=map-target]")) {
      input.addEventListener("change", updateSaveButton);
    }
    try {
      const { map } = await R.makeMap($("map"), CITY);
      state.map = map;
      map.on("click", (event) => {
        const end = mapTarget();
        state.mapPoints[end] = { lat: event.latlng.lat, lon: event.latlng.lng };
        fillPlaces();
        $(`${end}-place`).value = `map:${end}`;
        showMarker(end);
        updateSaveButton();
        state.idempotencyKey = null;
      });
      showMarker("pickup");
      showMarker("dropoff");
    } catch {
      $("map").textContent = R.t("network_error");
    }
  }

  function showMarker(end) {
    if (!state.map) return;
    state.markers[end]?.remove();
    state.markers[end] = null;
    const place = placeOf(end);
    if (!place) return;
    state.markers[end] = L.circleMarker([place.lat, place.lon], {
      radius: 10,
      color: "#111",
      weight: 2,
      fillColor: end === "pickup" ? "#0b6b2f" : "#a4161a",
      fillOpacity: 0.9,
      interactive: false,
    }).addTo(state.map);
  }

  // ---- booking ----
  function invalid(field, message) {
    const error = $("book-error");
    error.textContent = message;
    $(field).setAttribute("aria-invalid", "true");
    $(field).focus();
  }

  async function submitBooking(event, override) {
    event?.preventDefault();
    for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    $("book-error").textContent = "";
    const pickup = placeOf("pickup");
    const dropoff = placeOf("dropoff");
    if (!pickup) return invalid("pickup-place", R.t("missing_place", { what: R.t("pickup_place") }));
    if (!dropoff) return invalid("dropoff-place", R.t("missing_place", { what: R.t("dropoff_place") }));
    const date = $("date").value;
    const time = $("time").value;
    if (!date || !time) return invalid(date ? "time" : "date", R.t("missing_time"));
    const kind = document.querySelector("input[name=time-kind]:checked").value;
    const body = {
      rider_id: currentRider()?.id,
      pickup,
      dropoff,
      purpose: $("purpose").value,
      mobility: document.querySelector("input[name=mobility]:checked").value,
      companions: Number($("companions").value),
      shared_ok: $("shared").checked,
      note: $("note").value.trim(),
    };
    if (override) body.pickup_at = override;
    else body[kind === "pickup" ? "pickup_at" : "appointment_at"] = `${date}T${time}:00`;
    state.idempotencyKey = state.idempotencyKey || newKey();
    const button = $("book-button");
    button.disabled = true;
    button.textContent = R.t("booking");
    try {
      state.answer = await R.api("/v1/bookings", {
        method: "POST",
        body,
        headers: { "Idempotency-Key": state.idempotencyKey },
      });
      state.idempotencyKey = null;
      renderAnswer(true);
      await loadTrips();
    } catch (e) {
      const error = $("book-error");
      error.textContent = e instanceof R.ApiError ? e.text() : String(e);
      error.setAttribute("tabindex", "-1");
      error.focus();
    } finally {
      button.disabled = false;
      button.textContent = R.t("submit_booking");
    }
  }

  function message(b) {
    return R.lang() === "en" ? b.message_en : b.message_zh;
  }

  function factsOf(b) {
    const rows = [];
    if (b.promised_window) {
      rows.push([R.t("window"), `${R.ymd(b.promised_window.start)} ${R.hm(b.promised_window.start)}–${R.hm(b.promised_window.end)}`]);
    }
    if (b.estimated_pickup_at) rows.push([R.t("est_pickup"), R.hm(b.estimated_pickup_at)]);
    if (b.estimated_dropoff_at) rows.push([R.t("est_arrival"), R.hm(b.estimated_dropoff_at)]);
    if (b.fare && b.status !== "refused") {
      rows.push([R.t("fare"), R.t("fare_text", { a: b.fare.amount_twd, s: b.fare.amount_if_shared_twd })]);
    }
    if (b.vehicle_id) rows.push([R.t("vehicle"), b.vehicle_id]);
    return rows;
  }

  const dl = (rows) =>
    `<dl class="facts">${rows.map(([k, v]) => `<dt>${R.esc(k)}</dt><dd>${R.esc(v)}</dd>`).join("")}</dl>`;

  function renderAnswer(focus) {
    const b = state.answer;
    if (!b) return;
    $("answer-section").hidden = false;
    const alternatives = (b.alternatives || [])
      .map((a, k) => {
        const text = R.lang() === "en" ? a.message_en : a.message_zh;
        const action =
          a.kind === "other_time" && a.pickup_at
            ? ` <button type="button" class="secondary" data-alternative="${k}">${R.esc(R.t("take_alternative", { t: R.hm(a.pickup_at) }))}</button>`
            : "";
        return `<li>${R.esc(text)}${action}</li>`;
      })
      .join("");
    const html =
      `<div class="answer ${R.esc(b.status)}" data-booking="${R.esc(b.id)}">` +
      `<p class="status ${R.esc(b.status)}">${R.esc(R.t(b.status))}</p>` +
      (message(b) ? `<p>${R.esc(message(b))}</p>` : "") +
      dl(factsOf(b)) +
      (alternatives ? `<h3>${R.esc(R.t("alternatives"))}</h3><ul>${alternatives}</ul>` : "") +
      `</div>`;
    $("answer").innerHTML = html;
    for (const button of $("answer").querySelectorAll("[data-alternative]")) {
      button.addEventListener("click", () => {
        const a = b.alternatives[Number(button.dataset.alternative)];
        submitBooking(null, a.pickup_at);
      });
    }
    if (focus) $("answer-heading").focus();
  }

  // ---- upcoming trips ----
  async function loadTrips() {
    const all = await R.api("/v1/bookings?limit=500");
    const today = R.cityToday(0);
    state.trips = all
      .filter((b) => ["accepted", "waitlisted"].includes(b.status) && b.service_date >= today)
      .sort((a, b) => tripTime(a).localeCompare(tripTime(b)));
    renderTrips();
    followTrips();
  }

  const tripTime = (b) =>
    b.promised_window?.start || b.requested_pickup_at || b.appointment_at || b.service_date;

  function placeText(p) {
    return p.address || p.district || `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`;
  }

  function renderTrips() {
    if (!state.user) return;
    const list = $("trips");
    $("trips-status").textContent = state.trips.length
      ? R.t("trips_count", { n: state.trips.length })
      : R.t("no_trips");
    const names = new Map(state.riders.map((r) => [r.id, r.name]));
    list.innerHTML = state.trips
      .map((b) => {
        const when = b.appointment_at
          ? R.t("appointment_at", { t: R.hm(b.appointment_at) })
          : R.t("pickup_at", { t: R.hm(b.requested_pickup_at) });
        const rows = [
          [R.t("route"), `${placeText(b.pickup)} → ${placeText(b.dropoff)}`],
          ...factsOf(b),
        ];
        if (state.user.role !== "rider") rows.unshift([R.t("rider_name"), names.get(b.rider_id) || b.rider_id]);
        const confirming = state.confirming === b.id;
        const actions = confirming
          ? `<p id="confirm-${R.esc(b.id)}">${R.esc(R.t("confirm_cancel", { d: b.service_date }))}</p>` +
            `<div class="actions"><button type="button" class="danger" data-confirm="${R.esc(b.id)}" aria-describedby="confirm-${R.esc(b.id)}">${R.esc(R.t("yes_cancel"))}</button>` +
            `<button type="button" class="secondary" data-keep="${R.esc(b.id)}">${R.esc(R.t("keep_trip"))}</button></div>`
          : `<div class="actions"><button type="button" class="secondary" data-cancel="${R.esc(b.id)}">${R.esc(R.t("cancel_trip"))}</button></div>`;
        const live = state.live.get(b.id);
        const follow = live ? `<p class="live" role="status" data-live-state="${R.esc(live.state)}">${R.esc(liveText(live))}</p>` : "";
        return (
          `<li data-booking="${R.esc(b.id)}"><h3>${R.esc(b.service_date)} · ${R.esc(R.t(b.purpose))} · ${R.esc(when)} · ` +
          `<span class="status ${R.esc(b.status)}">${R.esc(R.t(b.status))}</span></h3>${follow}${dl(rows)}${actions}</li>`
        );
      })
      .join("");
    for (const button of list.querySelectorAll("[data-cancel]")) {
      button.addEventListener("click", () => {
        state.confirming = button.dataset.cancel;
        renderTrips();
        list.querySelector(`[data-confirm="${state.confirming}"]`).focus();
      });
    }
    for (const button of list.querySelectorAll("[data-keep]")) {
      button.addEventListener("click", () => {
        const id = button.dataset.keep;
        state.confirming = null;
        renderTrips();
        list.querySelector(`[data-cancel="${id}"]`).focus();
      });
    }
    for (const button of list.querySelectorAll("[data-confirm]")) {
      button.addEventListener("click", () => cancelTrip(button.dataset.confirm));
    }
  }

  async function cancelTrip(id) {
    try {
      const b = await R.api(`/v1/bookings/${id}/cancel`, { method: "POST" });
      state.confirming = null;
      await loadTrips();
      $("trips-status").textContent =
        R.t("cancelled_ok", { d: b.service_date }) + (b.late_cancellation ? ` ${R.t("late_cancel")}` : "");
      $("trips-heading").focus();
    } catch (e) {
      $("trips-status").textContent = e instanceof R.ApiError ? e.text() : String(e);
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
