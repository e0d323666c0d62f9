// The rider's booking page, phone first: sign in, book (each end found by typing: the city's
// streets, landmarks, hospitals and clinics, villages and districts, the rider's saved places
// first; or a point tapped on the map), see the answer, see and cancel upcoming trips, follow
// today's and tomorrow's as they run (the bus on its way, arriving, on board) with the messages
// sent; caregivers book for their riders. Dates in the 民國 calendar or ISO (the rider's
// choice), times in 24 hours. Installable (manifest, service worker at /rider/sw.js): offline,
// the page and the last known upcoming trips stay readable.
"use strict";

(() => {
  const R = Rehabus;
  const CITY = "tainan";
  const ENDS = ["pickup", "dropoff"];
  const DATA_CACHE = "rehabus-rider-data";
  const SEARCH_DELAY_MS = 250;
  const SEARCH_LIMIT = 8;
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
      find_place: "搜尋地點",
      pickup_options: "搜尋結果：上車",
      dropoff_options: "搜尋結果：下車",
      place_hint: "輸入街道、醫院或診所、里或區的名稱（例如「南門路」「成大醫院」），再從建議中選擇；按向下鍵可選常用地點。也可在地圖上點選。",
      results_count: "找到 {n} 個地點，按上下鍵選擇，Enter 確定。",
      saved_count: "{n} 個常用地點，按上下鍵選擇，Enter 確定。",
      no_results: "找不到符合「{q}」的地點，請換個寫法或只寫街道名稱。",
      search_failed: "目前無法搜尋地點；可選常用地點或在地圖上點選。",
      chosen: "已選：{place}",
      kind_saved: "常用地點",
      kind_hospital: "醫院",
      kind_clinic: "診所",
      kind_street: "街道",
      kind_landmark: "地標",
      kind_village: "里",
      kind_district: "行政區",
      kind_map: "地圖上的點",
      approximate_hint: "請在「地址或說明」寫下詳細地址。",
      map_point: "地圖上選的點（{lat}, {lon}）",
      address_note: "地址或說明（選填）",
      map_sets: "在地圖上點選時設定（選用）",
      map_move: "移動地圖",
      pan_north: "往北",
      pan_south: "往南",
      pan_west: "往西",
      pan_east: "往東",
      save_place: "把地圖上選的點存為常用地點",
      place_saved: "已將「{label}」存為常用地點。",
      new_place: "常用地點 {n}",
      calendar: "日期顯示",
      calendar_roc: "民國",
      calendar_iso: "西元",
      when: "時間",
      date: "日期",
      time_kind: "時間是",
      appointment_time: "看診（到達）時間",
      pickup_time: "上車時間",
      time: "時刻",
      time_placeholder: "例：14:30",
      time_hint: "24 小時制（例如 14:30）。服務時間 06:00–23:00，可預約 1 至 7 天內的行程。",
      bad_time: "時刻請寫成 24 小時制的「時:分」，例如 14:30。",
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
      offline: "離線 offline：以下是 {at} 最後取得的資料，可能已有變動；恢復連線後會自動更新。",
      offline_never: "離線 offline：目前無法連線到服務。",
      remember: "在這支手機記住我（離線也能看行程）",
      remember_hint: "只在自己的手機勾選。勾選後，即將出發的行程（時間、地點、上車時間窗、車資、狀態）會保存在這支手機，沒有網路時打開也能查看；密碼與登入憑證不會保存，預約或取消仍需連線登入。登出、其他人登入或登入失效時即刪除。",
      kept_heading: "保存在這支手機的行程",
      kept_offline: "離線 offline，資料時間 {time}（{date}）：以下是當時保存在這支手機的行程，可能已有變動，僅供查看；要預約或取消，請恢復連線後登入。按「登出」會從這支手機刪除這些行程。",
      kept_online: "已恢復連線 online：請登入查看最新行程。以下是 {time}（{date}）保存的行程，可能已有變動。",
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
      missing_place: "請選擇{what}：輸入名稱後從建議中選擇。",
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
      find_place: "Find a place",
      pickup_options: "Suggestions: pickup",
      dropoff_options: "Suggestions: drop-off",
      place_hint: "Type a street, hospital or clinic, village or district (e.g. 南門路, 成大醫院, Nanmen Road), then choose a suggestion; press the down arrow for your saved places. You can also tap the map.",
      results_count: "{n} places found: use the up and down arrows, Enter to choose.",
      saved_count: "{n} saved places: use the up and down arrows, Enter to choose.",
      no_results: "No place matches “{q}”: try another spelling or the street's name alone.",
      search_failed: "Places cannot be searched now; choose a saved place or tap the map.",
      chosen: "Chosen: {place}",
      kind_saved: "saved place",
      kind_hospital: "hospital",
      kind_clinic: "clinic",
      kind_street: "street",
      kind_landmark: "landmark",
      kind_village: "village",
      kind_district: "district",
      kind_map: "point on the map",
      approximate_hint: "Give the exact address in “Address or note”.",
      map_point: "Point picked on the map ({lat}, {lon})",
      address_note: "Address or note (optional)",
      map_sets: "A tap on the map sets the (optional)",
      map_move: "Move the map",
      pan_north: "North",
      pan_south: "South",
      pan_west: "West",
      pan_east: "East",
      save_place: "Save the point picked on the map as a place",
      place_saved: "“{label}” is saved to your places.",
      new_place: "Place {n}",
      calendar: "Dates",
      calendar_roc: "ROC (民國)",
      calendar_iso: "ISO",
      when: "When",
      date: "Date",
      time_kind: "The time is the",
      appointment_time: "Appointment (arrival) time",
      pickup_time: "Pickup time",
      time: "Time",
      time_placeholder: "e.g. 14:30",
      time_hint: "24-hour clock (e.g. 14:30). Service hours 06:00–23:00; trips can be booked 1 to 7 days ahead.",
      bad_time: "Write the time on the 24-hour clock as hours:minutes, e.g. 14:30.",
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
      offline: "Offline 離線: shown as last fetched at {at}; they may have changed, and are updated once the connection is back.",
      offline_never: "Offline 離線: the service cannot be reached.",
      remember: "Keep me on this phone (trips readable offline)",
      remember_hint: "Only on your own phone. Your upcoming trips (times, places, pickup window, fare, status) are kept on this phone and can be read when it is offline; your password and sign-in are not kept, so booking or cancelling still needs signing in online. Deleted when you sign out, when someone else signs in, or when your sign-in expires.",
      kept_heading: "Trips kept on this phone",
      kept_offline: "Offline 離線, as of {time} ({date}): the trips kept on this phone then; they may have changed and can only be read. To book or cancel, sign in once back online. Signing out deletes them from this phone.",
      kept_online: "Online again: sign in to see your latest trips. Below, the trips kept at {time} ({date}); they may have changed.",
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
      missing_place: "Choose the {what}: type a name, then choose a suggestion.",
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
    choice: { pickup: null, dropoff: null },
    options: { pickup: [], dropoff: [] },
    active: { pickup: -1, dropoff: -1 },
    searches: { pickup: 0, dropoff: 0 },
    timers: { pickup: 0, dropoff: 0 },
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
    stale: false,
    kept: null,
  };

  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- dates (民國 or ISO, the rider's choice) and 24-hour times ----
  const CALENDAR_KEY = "rehabus.calendar";
  const WEEKDAYS = { "zh-Hant": "日一二三四五六", en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] };

  function calendar() {
    const kept = localStorage.getItem(CALENDAR_KEY);
    if (kept === "roc" || kept === "iso") return kept;
    return R.lang() === "en" ? "iso" : "roc";
  }

  // "2026-12-08" as 民國115年12月8日（二） or 2026-12-08（二） (ROC 115-12-08 (Tue) in English).
  function formatDate(iso) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso || "")) return iso || "";
    const [y, m, d] = iso.split("-").map(Number);
    const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    const zh = R.lang() !== "en";
    const weekday = zh ? `（${WEEKDAYS["zh-Hant"][day]}）` : ` (${WEEKDAYS.en[day]})`;
    if (calendar() === "iso") return iso + weekday;
    const roc = y - 1911;
    if (zh) return `民國${roc}年${m}月${d}日${weekday}`;
    return `ROC ${roc}-${iso.slice(5)}${weekday}`;
  }

  // What was typed in the time field as HH:MM on the 24-hour clock ("930", "9:30", "0930",
  // "09：30" all give "09:30"), or null.
  function parseTime(text) {
    const match = (text || "").trim().match(/^(\d{1,2})\s*[:：.時]?\s*(\d{2})\s*分?$/);
    if (!match) return null;
    const [h, m] = [Number(match[1]), Number(match[2])];
    if (h > 23 || m > 59) return null;
    return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
  }

  function showDate() {
    $("date-shown").textContent = formatDate($("date").value);
  }

  // ---- offline ----
  const FETCHED_KEY = "rehabus.rider.fetched";
  // The city's wall clock now, "2026-12-08T09:05" (Taipei has no summer time).
  const cityMinute = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 16);

  const RETRY_S = 5;

  function showOffline() {
    const note = $("offline-note");
    if (navigator.onLine && !state.stale) {
      note.hidden = true;
      return;
    }
    const at = localStorage.getItem(FETCHED_KEY);
    note.textContent = at ? R.t("offline", { at: `${formatDate(at.slice(0, 10))} ${at.slice(11, 16)}` }) : R.t("offline_never");
    note.hidden = false;
  }

  // The service worker says whether the trips shown are fresh or as last kept (offline, or
  // the service out of reach); kept ones are asked again every RETRY_S.
  function heard(event) {
    const said = event.data || {};
    if (said.source !== "rehabus-rider-sw" || !said.key?.startsWith("/v1/bookings?")) return;
    const stale = said.kind === "kept";
    if (!stale) localStorage.setItem(FETCHED_KEY, cityMinute());
    if (stale && !state.stale && state.user) {
      setTimeout(function retry() {
        if (!state.stale) return;
        loadTrips().catch(() => {});
        setTimeout(retry, RETRY_S * 1000);
      }, RETRY_S * 1000);
    }
    state.stale = stale;
    showOffline();
  }

  function forgetCachedData() {
    localStorage.removeItem(FETCHED_KEY);
    return "caches" in window ? caches.delete(DATA_CACHE).catch(() => false) : Promise.resolve(false);
  }

  // ---- "keep me on this phone": a read-only snapshot of the upcoming trips ----
  // Chosen at sign-in (off by default; the choice lasts as long as the tab's sign-in). The page
  // keeps, in the Cache API (KEPT_CACHE, one entry named by the user's id), the upcoming trips
  // it shows: times, places, window, fare, status, and when the service gave them. The token is
  // not kept: when the app is opened again offline, without a sign-in, the snapshot is shown,
  // marked offline and read-only. Signing out, a sign-in (whoever it is: the snapshot is made
  // again if they ask), and a sign-in the service refuses (401) delete it, with the worker's
  // kept answers.
  const KEPT_CACHE = "rehabus-rider-kept";
  const REMEMBER_KEY = "rehabus.rider.remember";
  const keptKey = (userId) => `/rider/kept/${encodeURIComponent(userId)}`;
  const remembering = () => sessionStorage.getItem(REMEMBER_KEY) === "1";

  function forgetKept() {
    return "caches" in window ? caches.delete(KEPT_CACHE).catch(() => false) : Promise.resolve(false);
  }

  function forgetAll() {
    sessionStorage.removeItem(REMEMBER_KEY);
    state.kept = null;
    return Promise.all([forgetCachedData(), forgetKept()]);
  }

  // The city's wall-clock minute of an HTTP date ("Tue, 08 Dec 2026 01:05:00 GMT").
  function cityMinuteOf(httpDate) {
    const at = Date.parse(httpDate || "");
    return new Date((Number.isNaN(at) ? Date.now() : at) + 8 * 3600 * 1000).toISOString().slice(0, 16);
  }

  async function saveKept(answeredAt) {
    if (!remembering() || !state.user || !("caches" in window)) return;
    const names = new Map(state.riders.map((r) => [r.id, r.name]));
    const end = (p) => ({ address: p.address, district: p.district, lat: p.lat, lon: p.lon });
    const snapshot = {
      user_id: state.user.id,
      role: state.user.role,
      saved_at: cityMinuteOf(answeredAt),
      trips: state.trips.map((b) => ({
        id: b.id,
        rider_id: b.rider_id,
        rider_name: state.user.role === "rider" ? null : names.get(b.rider_id) || null,
        service_date: b.service_date,
        purpose: b.purpose,
        status: b.status,
        appointment_at: b.appointment_at,
        requested_pickup_at: b.requested_pickup_at,
        promised_window: b.promised_window,
        estimated_pickup_at: b.estimated_pickup_at,
        estimated_dropoff_at: b.estimated_dropoff_at,
        fare: b.fare,
        vehicle_id: b.vehicle_id,
        pickup: end(b.pickup),
        dropoff: end(b.dropoff),
      })),
    };
    try {
      const cache = await caches.open(KEPT_CACHE);
      for (const old of await cache.keys()) {
        if (new URL(old.url).pathname !== keptKey(state.user.id)) await cache.delete(old);
      }
      const body = JSON.stringify(snapshot);
      await cache.put(keptKey(state.user.id), new Response(body, { headers: { "Content-Type": "application/json" } }));
    } catch {
      // storage refused (private mode, full): nothing is kept
    }
  }

  // The one snapshot on this phone, or null (more than one would be an error: all are deleted).
  async function readKept() {
    if (!("caches" in window) || !(await caches.has(KEPT_CACHE))) return null;
    try {
      const cache = await caches.open(KEPT_CACHE);
      const keys = await cache.keys();
      if (keys.length !== 1) {
        if (keys.length) await forgetKept();
        return null;
      }
      const snapshot = await (await cache.match(keys[0])).json();
      return new URL(keys[0].url).pathname === keptKey(snapshot.user_id) ? snapshot : null;
    } catch {
      return null;
    }
  }

  // Opened offline with no sign-in: the kept trips, if any, read-only.
  async function showKept() {
    if (state.user || navigator.onLine) return;
    const snapshot = await readKept();
    if (!snapshot || state.user) return;
    state.kept = snapshot;
    $("kept-section").hidden = false;
    $("sign-out").hidden = false;
    renderKept();
  }

  function renderKept() {
    const snapshot = state.kept;
    if (!snapshot) return;
    const at = snapshot.saved_at;
    const when = { time: at.slice(11, 16), date: formatDate(at.slice(0, 10)) };
    $("kept-note").textContent = R.t(navigator.onLine ? "kept_online" : "kept_offline", when);
    const today = R.cityToday(0);
    const trips = snapshot.trips.filter((b) => b.service_date >= today);
    $("kept-trips").innerHTML = trips.length
      ? trips.map((b) => tripHtml(b, snapshot.role === "rider" ? null : b.rider_name || b.rider_id, "")).join("")
      : `<li>${R.esc(R.t("no_trips"))}</li>`;
  }

  // ---- signing in ----
  async function start() {
    R.setupChrome(STRINGS);
    setupCalendar();
    R.onLanguage(() => {
      $("calendar").value = calendar();
      for (const end of ENDS) {
        showChosen(end);
        if (!$(`${end}-options`).hidden) renderOptions(end);
      }
      renderAnswer(false);
      renderTrips();
      renderKept();
      showDate();
      showOffline();
      if (state.user) renderNotices();
      showWho();
    });
    R.setSignOutHook(forgetAll);
    R.setExpiredHook(forgetAll);
    $("sign-out").addEventListener("click", () => R.signOut());
    window.addEventListener("online", () => {
      showOffline();
      renderKept();
      if (state.user) loadTrips().catch(() => {});
    });
    window.addEventListener("offline", () => {
      showOffline();
      renderKept();
      showKept();
    });
    showOffline();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.addEventListener("message", heard);
      navigator.serviceWorker.register("/rider/sw.js", { scope: "/rider" }).catch(() => {});
    }
    $("sign-in-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = $("sign-in-error");
      error.textContent = "";
      try {
        await forgetCachedData(); // another person's trips must not stay on this phone
        state.user = await R.signIn($("username").value.trim(), $("password").value);
        await forgetKept(); // nor their snapshot: made again for whoever signed in, if asked
        if ($("remember").checked) sessionStorage.setItem(REMEMBER_KEY, "1");
        else sessionStorage.removeItem(REMEMBER_KEY);
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
    } else {
      await showKept();
    }
  }

  function setupCalendar() {
    const select = $("calendar");
    select.value = calendar();
    select.addEventListener("change", () => {
      localStorage.setItem(CALENDAR_KEY, select.value);
      renderAnswer(false);
      renderTrips();
      renderKept();
      showDate();
      showOffline();
    });
  }

  function showWho() {
    if (!state.user) return;
    const who = $("who");
    who.hidden = false;
    who.textContent = R.t("signed_in", { name: state.user.display_name || state.user.username, role: R.t("role_" + state.user.role) });
  }

  async function enter() {
    state.kept = null;
    $("kept-section").hidden = true;
    $("sign-in-section").hidden = true;
    $("signed-in").hidden = false;
    $("sign-out").hidden = false;
    showWho();
    if (!["rider", "caregiver", "dispatcher", "admin"].includes(state.user.role)) {
      $("book-error").textContent = R.t("not_booker");
      $("book-button").disabled = true;
      return;
    }
    try {
      state.riders = await R.api("/v1/riders");
    } catch {
      state.riders = []; // offline, and never fetched on this phone
    }
    const select = $("rider");
    select.innerHTML = state.riders.map((r) => `<option value="${R.esc(r.id)}">${R.esc(r.name)}</option>`).join("");
    if (state.user.rider_id) select.value = state.user.rider_id;
    $("rider-choice").hidden = state.user.role === "rider";
    select.addEventListener("change", riderChanged);
    $("date").value = R.cityToday(1);
    $("date").min = R.cityToday(0);
    $("date").max = R.cityToday(7);
    $("date").addEventListener("input", showDate);
    showDate();
    setupTime();
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
    for (const end of ENDS) setupCombobox(end);
    await riderChanged();
    setupMap();
    await loadTrips().catch(() => {});
    follow();
    $("main").focus();
  }

  function setupTime() {
    const input = $("time");
    input.value = "10:00";
    input.addEventListener("focus", () => input.select());
    const tidy = () => {
      const time = parseTime(input.value);
      if (time) input.value = time;
    };
    input.addEventListener("change", tidy);
    input.addEventListener("blur", tidy);
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
    } catch {
      state.places = [];
    } finally {
      form.removeAttribute("aria-busy");
    }
    for (const end of ENDS) {
      if (state.choice[end]?.kind === "saved") choose(end, null);
    }
    const mobility = rider ? rider.mobility : "walks";
    document.querySelector(`input[name=mobility][value=${mobility}]`).checked = true;
  }

  const currentRider = () => state.riders.find((r) => r.id === $("rider").value) || state.riders[0];

  // ---- places: a combobox per end (ARIA 1.2 combobox with a list of suggestions, chosen by
  // hand: arrows move, Enter chooses, Escape closes then clears) ----
  function savedAsPlaces() {
    return state.places.map((p) => ({
      id: `saved:${p.id}`,
      label: p.label,
      kind: "saved",
      district: "",
      address: p.address || "",
      lat: p.lat,
      lon: p.lon,
      located: "saved",
      approximate: false,
      note_zh: "",
      note_en: "",
    }));
  }

  function setupCombobox(end) {
    const input = $(`${end}-place`);
    const list = $(`${end}-options`);
    input.addEventListener("input", () => {
      if (state.choice[end] && input.value !== state.choice[end].label) choose(end, null, { keepText: true });
      clearTimeout(state.timers[end]);
      const query = input.value.trim();
      if (!query) {
        closeOptions(end);
        return;
      }
      state.timers[end] = setTimeout(() => search(end, query), SEARCH_DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) {
          offerDefaults(end, event.key === "ArrowDown" ? 0 : -1);
          return;
        }
        moveActive(end, event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter") {
        if (!open) return; // the form is sent
        event.preventDefault();
        if (state.active[end] >= 0) pick(end, state.active[end]);
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          closeOptions(end);
        } else if (input.value) {
          event.preventDefault();
          choose(end, null);
        }
      } else if (event.key === "Tab") {
        closeOptions(end);
      }
    });
    input.addEventListener("click", () => {
      if (list.hidden && !input.value.trim()) offerDefaults(end, null);
    });
    input.addEventListener("blur", () => setTimeout(() => document.activeElement !== input && closeOptions(end), 150));
    // A tap on a suggestion keeps the focus in the field, then chooses it.
    list.addEventListener("pointerdown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) pick(end, Number(option.dataset.index));
    });
  }

  // The rider's saved places (and the point tapped on the map), before anything is typed.
  function offerDefaults(end, active) {
    const input = $(`${end}-place`);
    if (input.value.trim()) {
      search(end, input.value.trim(), active);
      return;
    }
    const places = savedAsPlaces();
    const mapped = state.choice[end]?.kind === "map" ? [state.choice[end]] : [];
    showOptions(end, [...mapped, ...places], active === -1 ? places.length + mapped.length - 1 : active);
    $("place-count").textContent = R.t("saved_count", { n: places.length + mapped.length });
  }

  async function search(end, query, active = null) {
    const ticket = ++state.searches[end];
    const rider = currentRider();
    const params = new URLSearchParams({ city: CITY, q: query, limit: String(SEARCH_LIMIT) });
    if (rider) params.set("rider_id", rider.id);
    let found;
    try {
      found = await R.api(`/v1/places/search?${params}`);
    } catch {
      if (ticket !== state.searches[end]) return;
      // Offline: the saved places that match what was typed.
      const needle = query.toLowerCase();
      found = savedAsPlaces().filter((p) => `${p.label} ${p.address}`.toLowerCase().includes(needle));
      $("place-count").textContent = R.t("search_failed");
      showOptions(end, found, active);
      return;
    }
    if (ticket !== state.searches[end] || $(`${end}-place`).value.trim() !== query) return;
    showOptions(end, found, active);
    $("place-count").textContent = found.length ? R.t("results_count", { n: found.length }) : R.t("no_results", { q: query });
  }

  function showOptions(end, places, active) {
    state.options[end] = places;
    state.active[end] = places.length && active !== null && active >= 0 ? Math.min(active, places.length - 1) : -1;
    renderOptions(end);
  }

  function kindText(p) {
    return R.t(`kind_${p.kind}`);
  }

  function noteOf(p) {
    return (R.lang() === "en" ? p.note_en : p.note_zh) || "";
  }

  function renderOptions(end) {
    const input = $(`${end}-place`);
    const list = $(`${end}-options`);
    const places = state.options[end];
    if (!places.length) {
      list.innerHTML = "";
      closeOptions(end);
      return;
    }
    list.innerHTML = places
      .map((p, k) => {
        const english = R.lang() === "en" && p.name_en ? ` ${p.name_en}` : "";
        const meta = [kindText(p), p.district, p.address].filter(Boolean).join(" · ");
        const note = p.approximate ? noteOf(p) : ""; // a street's is said once chosen
        return (
          `<li role="option" id="${end}-option-${k}" data-index="${k}" data-place="${R.esc(p.id)}" aria-selected="${k === state.active[end]}"${p.approximate ? ' class="approximate"' : ""}>` +
          `<span class="option-label">${R.esc(p.label)}${R.esc(english)}</span>` +
          `<span class="option-meta">${R.esc(meta)}</span>` +
          (note ? `<span class="option-note">${R.esc(note)}</span>` : "") +
          `</li>`
        );
      })
      .join("");
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    showActive(end);
  }

  function showActive(end) {
    const input = $(`${end}-place`);
    const k = state.active[end];
    for (const option of $(`${end}-options`).querySelectorAll("[role=option]")) {
      option.setAttribute("aria-selected", String(Number(option.dataset.index) === k));
    }
    if (k >= 0) {
      input.setAttribute("aria-activedescendant", `${end}-option-${k}`);
      $(`${end}-option-${k}`).scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function moveActive(end, step) {
    const n = state.options[end].length;
    if (!n) return;
    const k = state.active[end];
    state.active[end] = k < 0 ? (step > 0 ? 0 : n - 1) : (k + step + n) % n;
    showActive(end);
  }

  function closeOptions(end) {
    const list = $(`${end}-options`);
    list.hidden = true;
    state.active[end] = -1;
    const input = $(`${end}-place`);
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function pick(end, k) {
    const place = state.options[end][k];
    if (!place) return;
    choose(end, place);
    closeOptions(end);
    $(`${end}-place`).focus();
  }

  // Make ``place`` (or nothing) the end's choice: the field, the line below it, the map.
  function choose(end, place, { keepText = false } = {}) {
    const input = $(`${end}-place`);
    state.choice[end] = place;
    input.dataset.choice = place ? place.id : "";
    if (!keepText) input.value = place ? place.label : "";
    input.removeAttribute("aria-invalid");
    showChosen(end);
    showMarker(end);
    updateSaveButton();
    state.idempotencyKey = null;
  }

  function showChosen(end) {
    const line = $(`${end}-chosen`);
    const p = state.choice[end];
    if (!p) {
      line.textContent = "";
      line.classList.remove("approximate");
      return;
    }
    if (p.kind === "map") p.label = R.t("map_point", { lat: p.lat.toFixed(5), lon: p.lon.toFixed(5) });
    const where = [kindText(p), p.district].filter(Boolean).join("・");
    const note = noteOf(p);
    const named = R.lang() === "en" ? `${p.label} (${where})` : `${p.label}（${where}）`;
    line.textContent =
      R.t("chosen", { place: named }) +
      (note ? ` ${note}${R.lang() === "en" ? "." : "。"}` : "") +
      (p.approximate ? ` ${R.t("approximate_hint")}` : "");
    line.classList.toggle("approximate", Boolean(p.approximate));
  }

  function placeOf(end) {
    const p = state.choice[end];
    if (!p) return null;
    const note = $(`${end}-note`).value.trim();
    if (p.kind === "map") return { lat: p.lat, lon: p.lon, address: note.slice(0, 255) };
    const where = p.address || p.district;
    return { lat: p.lat, lon: p.lon, address: [p.label, where, note].filter(Boolean).join(" ").slice(0, 255) };
  }

  // ---- the map: an optional aid (tap a point; move it with buttons, never by dragging) ----
  function mapTarget() {
    return document.querySelector("input[name=map-target]:checked").value;
  }

  function updateSaveButton() {
    $("save-place").disabled = state.choice[mapTarget()]?.kind !== "map";
  }

  async function savePlace() {
    const end = mapTarget();
    const point = state.choice[end];
    const rider = currentRider();
    if (point?.kind !== "map" || !rider) return;
    const label = ($(`${end}-note`).value.trim() || R.t("new_place", { n: state.places.length + 1 })).slice(0, 64);
    try {
      const place = await R.api(`/v1/riders/${rider.id}/places`, {
        method: "POST",
        body: { label, lat: point.lat, lon: point.lon },
      });
      state.places.push(place);
      choose(end, savedAsPlaces().find((p) => p.id === `saved:${place.id}`));
      $(`${end}-note`).value = "";
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
    for (const button of document.querySelectorAll("[data-pan]")) {
      button.addEventListener("click", () => {
        if (!state.map) return;
        const size = state.map.getSize();
        const step = { north: [0, -size.y / 3], south: [0, size.y / 3], west: [-size.x / 3, 0], east: [size.x / 3, 0] };
        state.map.panBy(step[button.dataset.pan]);
      });
    }
    try {
      const { map } = await R.makeMap($("map"), CITY);
      state.map = map;
      map.on("click", (event) => {
        const end = mapTarget();
        const point = { id: `map:${end}`, kind: "map", lat: event.latlng.lat, lon: event.latlng.lng, district: "", address: "" };
        point.label = R.t("map_point", { lat: point.lat.toFixed(5), lon: point.lon.toFixed(5) });
        choose(end, point);
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
    if (!date || !$("time").value.trim()) return invalid(date ? "time" : "date", R.t("missing_time"));
    const time = parseTime($("time").value);
    if (!time) return invalid("time", R.t("bad_time"));
    $("time").value = time;
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
      rows.push([R.t("window"), `${formatDate(R.ymd(b.promised_window.start))} ${R.hm(b.promised_window.start)}–${R.hm(b.promised_window.end)}`]);
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

  // ---- upcoming trips (the service worker keeps the last answer for offline use) ----
  async function loadTrips() {
    const meta = {};
    const all = await R.api("/v1/bookings?limit=500", { meta });
    if (!navigator.serviceWorker?.controller && navigator.onLine) {
      // No worker keeps them (the first visit): they are fresh.
      localStorage.setItem(FETCHED_KEY, cityMinute());
    }
    showOffline();
    const today = R.cityToday(0);
    state.trips = all
      .filter((b) => ["accepted", "waitlisted"].includes(b.status) && b.service_date >= today)
      .sort((a, b) => tripTime(a).localeCompare(tripTime(b)));
    renderTrips();
    followTrips();
    await saveKept(meta.date); // when the service answered (a kept answer keeps its time)
  }

  const tripTime = (b) =>
    b.promised_window?.start || b.requested_pickup_at || b.appointment_at || b.service_date;

  function placeText(p) {
    return p.address || p.district || `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`;
  }

  // One upcoming trip: its day, purpose, time and status; the rider's name (null: not shown),
  // its live line, its route and facts, its actions.
  function tripHtml(b, riderName, live = "", actions = "") {
    const when = b.appointment_at
      ? R.t("appointment_at", { t: R.hm(b.appointment_at) })
      : R.t("pickup_at", { t: R.hm(b.requested_pickup_at) });
    const rows = [[R.t("route"), `${placeText(b.pickup)} → ${placeText(b.dropoff)}`], ...factsOf(b)];
    if (riderName !== null) rows.unshift([R.t("rider_name"), riderName]);
    const day = formatDate(b.service_date);
    return (
      `<li data-booking="${R.esc(b.id)}"><h3><time datetime="${R.esc(b.service_date)}">${R.esc(day)}</time> · ${R.esc(R.t(b.purpose))} · ${R.esc(when)} · ` +
      `<span class="status ${R.esc(b.status)}">${R.esc(R.t(b.status))}</span></h3>${live}${dl(rows)}${actions}</li>`
    );
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
        const confirming = state.confirming === b.id;
        const day = formatDate(b.service_date);
        const actions = confirming
          ? `<p id="confirm-${R.esc(b.id)}">${R.esc(R.t("confirm_cancel", { d: day }))}</p>` +
            `<div class="actions"><button type="button" class="danger" data-confirm="${R.esc(b.id)}" aria-describedby="confirm-${R.esc(b.id)}">${R.esc(R.t("yes_cancel"))}</button>` +
            `<button type="button" class="secondary" data-keep="${R.esc(b.id)}">${R.esc(R.t("keep_trip"))}</button></div>`
          : `<div class="actions"><button type="button" class="secondary" data-cancel="${R.esc(b.id)}">${R.esc(R.t("cancel_trip"))}</button></div>`;
        const live = state.live.get(b.id);
        const follow = live ? `<p class="live" role="status" data-live-state="${R.esc(live.state)}">${R.esc(liveText(live))}</p>` : "";
        const who = state.user.role === "rider" ? null : names.get(b.rider_id) || b.rider_id;
        return tripHtml(b, who, follow, actions);
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
        R.t("cancelled_ok", { d: formatDate(b.service_date) }) + (b.late_cancellation ? ` ${R.t("late_cancel")}` : "");
      $("trips-heading").focus();
    } catch (e) {
      $("trips-status").textContent = e instanceof R.ApiError ? e.text() : String(e);
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
