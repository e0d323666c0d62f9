// The dispatcher's console: the day's routes on the map, each bus's timeline, waitlisted and
// refused requests, the key figures, re-optimization with progress and before/after figures,
// a bus's printable manifest, and marking a breakdown.
"use strict";

(() => {
  const R = Rehabus;
  const $ = (id) => document.getElementById(id);
  const COLORS = ["#0b4f9c", "#a4161a", "#0b6b2f", "#6a1b9a", "#8a4b00", "#006d77", "#b5179e", "#3a3a3a", "#1f6f8b", "#7b2c00", "#4a6b00", "#5b21b6"];
  const FIGURES = ["requests", "served", "unserved", "vehicles_used", "vehicle_km", "vehicle_hours", "passengers_per_vehicle_hour", "shared_share", "mean_ride_over_direct"];
  const STRINGS = {
    "zh-Hant": {
      title: "調度台 · rehabus",
      heading: "復康巴士調度台",
      sign_in_heading: "調度員登入",
      staff_only: "調度台僅限調度員與管理員使用，請以調度員帳號登入。",
      city: "城市",
      tainan: "臺南市",
      date: "服務日",
      show_day: "顯示當日",
      find_booking: "查詢訂單編號",
      find: "查詢",
      found: "訂單 {id} 由 {v} 載送：{p} 上車，{d} 下車。",
      found_unplanned: "訂單 {id} 未排入路線：{s}。",
      not_found: "當日沒有編號開頭為 {id} 的訂單。",
      figures_heading: "當日重點數字",
      requests: "訂單數",
      served: "已排入",
      unserved: "未排入",
      vehicles_used: "出車數",
      vehicle_km: "總里程（公里）",
      vehicle_hours: "總車時（小時）",
      passengers_per_vehicle_hour: "每車時載客",
      shared_share: "共乘比例",
      mean_ride_over_direct: "平均繞行倍數",
      reopt_heading: "重新最佳化",
      time_limit: "計算時間上限（秒）",
      reopt_button: "重新最佳化當日路線",
      reopt_cancel: "停止",
      progress: "進度",
      job_queued: "排隊中…",
      job_running: "計算中：{m}",
      job_succeeded: "完成：{m}",
      job_applied: "完成，已套用新路線。{m}",
      job_failed: "失敗：{m}",
      job_cancelled: "已停止，路線未變更。",
      job_rejected: "未採用：{m}",
      figure: "數字",
      before: "之前",
      after: "之後",
      map_heading: "路線地圖",
      map_hint: "各車依停靠順序沿道路圖的最快路線連接（道路圖以外以直線表示）；圓點為上車，方框為下車。選擇車輛可單獨顯示。",
      timeline_heading: "各車時間軸",
      timeline_hint: "實心為上車、空心為下車；按車號查看停靠站、行車單與故障處理。",
      lane: "{v}：{n} 站，{a}–{b}",
      locked: "（已鎖定 {n} 站）",
      no_routes: "當日沒有已排定的路線。",
      vehicle_heading: "車輛 {v}",
      manifest: "列印行車單",
      breakdown: "標記故障",
      breakdown_legend: "車輛故障",
      breakdown_time: "故障時間",
      note: "備註",
      confirm_breakdown: "確認故障並改派",
      back: "返回",
      breakdown_done: "{v} 已退出當日服務：改派 {m} 筆，候補 {w} 筆；車上乘客 {a} 位，其中 {r} 位已派車至故障地點接駁，{s} 位無車可救援。",
      stranded_alert: "⚠ {n} 位乘客因車輛故障受困，沒有車輛能前往接駁：請立即派車或聯絡乘客（訂單 {ids}）。",
      stranded: "受困待援",
      time: "時間",
      stop: "站別",
      break: "司機休息",
      booking: "訂單",
      window: "承諾上車時間窗",
      mobility: "行動方式",
      unplanned_heading: "候補與無法安排的訂單",
      no_unplanned: "沒有候補或無法安排的訂單。",
      status: "狀態",
      reason: "原因",
      reason_booking_window: "不在可預約期間",
      reason_service_hours: "不在服務時間內",
      reason_eligibility: "不符資格",
      reason_fleet_busy: "車輛已滿",
      reason_no_vehicle_fits: "沒有合適車型",
      reason_unreachable: "道路無法到達",
      reason_infeasible_alone: "任何班表都無法完成",
      reason_vehicle_breakdown: "車輛 {v} 故障",
      popup_blocked: "瀏覽器擋住了新視窗，請允許此網站開啟彈出視窗。",
      live_heading: "即時動態",
      reports_heading: "司機回報",
      no_reports: "此車今天尚無回報。",
      live_hint: "司機回報與車輛位置即時推送（不需重新整理）；預計時間超過承諾即列於下方。",
      live_connecting: "連線中…",
      live_connected: "即時連線中，最近更新 {t}。",
      live_lost: "即時連線中斷，{s} 秒後重新連線。",
      at_risk_heading: "可能失約的承諾",
      no_risk: "目前沒有預計會失約的承諾。",
      risk_pickup_late: "接送將晚於承諾時段",
      risk_appointment_late: "將趕不上就醫時間",
      at_risk_item: "{v}｜{kind} {id}（{rider}）：預計 {e}，承諾 {p} 前。{why}",
      show_on_map: "在地圖上顯示",
      move_trip: "改派其他車輛",
      moved_ok: "訂單 {id} 已由 {a} 改派給 {b}，承諾時段不變；已通知乘客。",
      call_rider: "致電乘客",
      buses_heading: "行駛中的車輛",
      no_buses: "尚無車輛回報位置或停靠。",
      bus: "車輛",
      late: "延誤（分）",
      last_seen: "最後位置",
      next_stop: "下一站訂單",
      last_report: "最近回報",
      ev_departed_depot: "離開車庫",
      ev_arrived: "抵達",
      ev_boarded: "上車",
      ev_no_show: "未搭乘",
      ev_dropped_off: "下車",
      ev_break_started: "開始休息",
      ev_break_ended: "結束休息",
      ev_breakdown: "故障",
      ev_delay: "延誤",
      home: "首頁",
      desk_link: "電話預約台",
      data_note: "資料：道路 © OpenStreetMap 貢獻者；行政區界 內政部。",
    },
    en: {
      title: "Dispatcher console · rehabus",
      heading: "Rehab bus dispatcher console",
      sign_in_heading: "Dispatcher sign-in",
      staff_only: "The console is for dispatchers and admins: sign in as a dispatcher.",
      city: "City",
      tainan: "Tainan",
      date: "Service day",
      show_day: "Show the day",
      find_booking: "Find a booking id",
      find: "Find",
      found: "Booking {id} rides on {v}: pickup {p}, drop-off {d}.",
      found_unplanned: "Booking {id} is not on a route: {s}.",
      not_found: "No booking on this day has an id starting with {id}.",
      figures_heading: "The day's key figures",
      requests: "Requests",
      served: "Planned",
      unserved: "Not planned",
      vehicles_used: "Buses out",
      vehicle_km: "Distance (km)",
      vehicle_hours: "Bus hours",
      passengers_per_vehicle_hour: "Riders per bus hour",
      shared_share: "Shared rides",
      mean_ride_over_direct: "Mean ride / direct",
      reopt_heading: "Re-optimize",
      time_limit: "Time limit (seconds)",
      reopt_button: "Re-optimize the day",
      reopt_cancel: "Stop",
      progress: "Progress",
      job_queued: "Queued…",
      job_running: "Running: {m}",
      job_succeeded: "Done: {m}",
      job_applied: "Done; the new routes are in use ({m}).",
      job_failed: "Failed: {m}",
      job_cancelled: "Stopped; the routes are unchanged.",
      job_rejected: "Not applied: {m}",
      figure: "Figure",
      before: "Before",
      after: "After",
      map_heading: "Route map",
      map_hint: "Each bus's stops joined in order along the fastest roads of the road graph (straight lines off the graph); circles are pickups, squares drop-offs. Choose a bus to show it alone.",
      timeline_heading: "Timeline of every bus",
      timeline_hint: "Filled marks are pickups, hollow ones drop-offs; choose a bus for its stops, manifest and breakdown.",
      lane: "{v}: {n} stops, {a}–{b}",
      locked: " ({n} stops locked)",
      no_routes: "No routes on this day.",
      vehicle_heading: "Bus {v}",
      manifest: "Print the manifest",
      breakdown: "Mark a breakdown",
      breakdown_legend: "Breakdown",
      breakdown_time: "Time of the breakdown",
      note: "Note",
      confirm_breakdown: "Confirm and re-plan its trips",
      back: "Back",
      breakdown_done: "{v} is out of service. Trips moved to other buses: {m}; waitlisted: {w}; riders aboard: {a}, of whom {r} get a bus sent to the breakdown place and {s} fit on no bus.",
      stranded_alert: "⚠ {n} rider(s) stranded by a breakdown, with no bus able to reach them: send a bus or call them now (bookings {ids}).",
      stranded: "Stranded",
      time: "Time",
      stop: "Stop",
      break: "Driver's break",
      booking: "Booking",
      window: "Promised pickup window",
      mobility: "Mobility",
      unplanned_heading: "Waitlisted and refused requests",
      no_unplanned: "No waitlisted or refused requests.",
      status: "Status",
      reason: "Reason",
      reason_booking_window: "outside the booking window",
      reason_service_hours: "outside service hours",
      reason_eligibility: "not eligible",
      reason_fleet_busy: "the buses are full",
      reason_no_vehicle_fits: "no bus can carry it",
      reason_unreachable: "no road reaches it",
      reason_infeasible_alone: "no bus's hours allow it",
      reason_vehicle_breakdown: "bus {v} broke down",
      popup_blocked: "The browser blocked the new window; allow pop-ups for this site.",
      live_heading: "Live",
      reports_heading: "Driver's reports",
      no_reports: "No report from this bus yet today.",
      live_hint: "Drivers' reports and the buses' positions arrive as they happen (no reloading); an estimate past a promise is listed below.",
      live_connecting: "Connecting…",
      live_connected: "Live; last update {t}.",
      live_lost: "Live connection lost; connecting again in {s} s.",
      at_risk_heading: "Promises at risk",
      no_risk: "No promise is estimated to be broken.",
      risk_pickup_late: "pickup after the promised window",
      risk_appointment_late: "will miss the appointment",
      at_risk_item: "{v} | {kind} {id} ({rider}): estimated {e}, promised by {p}. {why}",
      show_on_map: "Show on the map",
      move_trip: "Move to another bus",
      moved_ok: "Booking {id} moved from {a} to {b}, its promised window unchanged; the rider is told.",
      call_rider: "Call the rider",
      buses_heading: "Buses on the road",
      no_buses: "No bus has reported a position or a stop yet.",
      bus: "Bus",
      late: "Late (min)",
      last_seen: "Last position",
      next_stop: "Next booking",
      last_report: "Last report",
      ev_departed_depot: "left the depot",
      ev_arrived: "arrived",
      ev_boarded: "boarded",
      ev_no_show: "no-show",
      ev_dropped_off: "dropped off",
      ev_break_started: "break started",
      ev_break_ended: "break ended",
      ev_breakdown: "breakdown",
      ev_delay: "delay",
      home: "Home",
      desk_link: "Call-takers' desk",
      data_note: "Data: roads © OpenStreetMap contributors; districts: Ministry of the Interior.",
    },
  };

  const state = { user: null, day: null, map: null, routeLayer: null, selected: null, highlight: null, job: null, jobResult: null, found: null, live: new Map(), liveAt: null, liveStream: null, liveRetry: 0, busLayer: null };
  const city = () => $("city").value;
  const date = () => $("date").value;
  const color = (k) => COLORS[k % COLORS.length];
  const shortId = (id) => (id || "").slice(0, 8);

  async function start() {
    R.setupChrome(STRINGS);
    R.onLanguage(() => {
      showWho();
      render();
      renderLive();
      renderJob();
      showNotice();
    });
    await R.startSignIn({
      roles: ["dispatcher", "admin"],
      refuse: () => ($("sign-in-error").textContent = R.t("staff_only")),
      enter: (user) => {
        state.user = user;
        return enter();
      },
    });
  }

  function showWho() {
    if (!state.user) return;
    $("who").hidden = false;
    $("who").textContent = R.t("signed_in", { name: state.user.display_name || state.user.username, role: R.t("role_" + state.user.role) });
  }

  async function enter() {
    $("sign-in-section").hidden = true;
    $("signed-in").hidden = false;
    $("sign-out").hidden = false;
    showWho();
    const wanted = new URLSearchParams(location.search).get("date");
    $("date").value = wanted || R.cityToday(1);
    $("day-form").addEventListener("submit", (event) => {
      event.preventDefault();
      loadDay();
    });
    $("find-button").addEventListener("click", findBooking);
    $("find").addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        findBooking();
      }
    });
    $("reopt-button").addEventListener("click", reoptimize);
    $("reopt-cancel").addEventListener("click", () => state.job && R.api(`/v1/dispatch/jobs/${state.job.id}`, { method: "DELETE" }));
    $("manifest-button").addEventListener("click", openManifest);
    $("breakdown-button").addEventListener("click", () => {
      $("breakdown-form").hidden = false;
      const route = selectedRoute();
      const now = R.cityToday(0) === date() ? new Date(Date.now() + 8 * 3600e3).toISOString().slice(11, 16) : null;
      $("breakdown-time").value = now || (route ? R.hm(route.depart) : "08:00");
      $("breakdown-time").focus();
    });
    $("breakdown-cancel").addEventListener("click", () => {
      $("breakdown-form").hidden = true;
      $("breakdown-button").focus();
    });
    $("breakdown-form").addEventListener("submit", breakdown);
    try {
      const { map } = await R.makeMap($("map"), city());
      state.map = map;
    } catch {
      $("map").textContent = R.t("network_error");
    }
    await loadDay();
  }

  async function loadDay() {
    $("day-error").textContent = "";
    try {
      state.day = await R.api(`/v1/dispatch/days/${city()}/${date()}`);
    } catch (e) {
      $("day-error").textContent = e instanceof R.ApiError ? e.text() : String(e);
      return;
    }
    if (state.selected && !selectedRoute()) state.selected = null;
    if (state.found) locate(state.found);
    else render();
    loadPaths(state.day);
    connectLive();
  }

  // ---- live: the day as it runs, pushed by the service (server-sent events) ----
  // Read with fetch rather than EventSource: the stream needs the Authorization header. A
  // dropped stream is opened again after 5 s, then 10, up to 30.
  function connectLive() {
    state.liveStream?.abort();
    const controller = new AbortController();
    state.liveStream = controller;
    state.live = new Map();
    liveStatus("live_connecting");
    R.stream(`/v1/dispatch/days/${city()}/${date()}/live/stream`, liveNews, controller.signal).then(
      () => {},
      () => {},
    ).finally(() => {
      if (controller.signal.aborted || state.liveStream !== controller) return;
      const wait = Math.min(30, 5 * 2 ** state.liveRetry++);
      liveStatus("live_lost", { s: wait });
      setTimeout(() => state.liveStream === controller && connectLive(), wait * 1000);
    });
  }

  function liveNews(kind, data) {
    state.liveRetry = 0;
    if (kind === "snapshot") {
      state.live = new Map(data.vehicles.map((v) => [v.vehicle_id, v]));
      state.liveAt = data.now;
    } else if (kind === "vehicle") {
      state.live.set(data.vehicle_id, data);
    }
    const clock = new Date(Date.now() + 8 * 3600e3).toISOString().slice(11, 19);
    liveStatus("live_connected", { t: clock });
    renderLive();
  }

  function liveStatus(key, vars) {
    state.liveStatus = { key, vars };
    $("live-status").textContent = R.t(key, vars);
  }

  const active = (v) => v.position || v.events.length || v.at_risk.length;

  function renderLive() {
    if (state.liveStatus) $("live-status").textContent = R.t(state.liveStatus.key, state.liveStatus.vars);
    const buses = [...state.live.values()].filter(active).sort((a, b) => b.late_minutes - a.late_minutes);
    const risks = buses.flatMap((v) => v.at_risk.map((r) => ({ ...r, vehicle_id: v.vehicle_id })));
    $("at-risk").innerHTML = risks.length
      ? "<ul class=\"at-risk\">" +
        risks
          .map(
            (r) =>
              `<li data-risk="${R.esc(r.booking_id)}">${R.esc(
                R.t("at_risk_item", {
                  v: r.vehicle_id,
                  kind: R.t(r.kind),
                  id: shortId(r.booking_id),
                  rider: r.rider || "–",
                  e: R.hm(r.estimate),
                  p: R.hm(r.promised),
                  why: R.t(`risk_${r.risk}`),
                }),
              )} <button type="button" class="secondary" data-show="${R.esc(r.booking_id)}">${R.esc(R.t("show_on_map"))}</button>` +
              (r.kind === "pickup" ? ` <button type="button" data-move="${R.esc(r.booking_id)}">${R.esc(R.t("move_trip"))}</button>` : "") +
              (r.phone ? ` <a class="button secondary" href="tel:${R.esc(r.phone)}">${R.esc(R.t("call_rider"))} ${R.esc(r.phone)}</a>` : "") +
              "</li>",
          )
          .join("") +
        "</ul>"
      : `<p>${R.esc(R.t("no_risk"))}</p>`;
    for (const button of $("at-risk").querySelectorAll("[data-show]")) {
      button.addEventListener("click", () => locate(button.dataset.show));
    }
    for (const button of $("at-risk").querySelectorAll("[data-move]")) {
      button.addEventListener("click", () => moveTrip(button.dataset.move));
    }
    const rows = buses
      .map((v) => {
        const last = v.events[v.events.length - 1];
        return (
          `<tr data-live="${R.esc(v.vehicle_id)}"><th scope="row">${R.esc(v.vehicle_id)}</th>` +
          `<td data-late>${v.late_minutes}</td><td>${v.position ? R.hm(v.position.at) : "–"}</td>` +
          `<td><code>${R.esc(shortId(v.next_booking_id))}</code></td>` +
          `<td>${last ? `${R.hm(last.at)} ${R.esc(R.t(`ev_${last.kind}`))} <code>${R.esc(shortId(last.booking_id))}</code>` : "–"}</td></tr>`
        );
      })
      .join("");
    $("live-table").innerHTML = buses.length
      ? `<caption class="visually-hidden">${R.esc(R.t("buses_heading"))}</caption>` +
        `<thead><tr><th scope="col">${R.esc(R.t("bus"))}</th><th scope="col">${R.esc(R.t("late"))}</th>` +
        `<th scope="col">${R.esc(R.t("last_seen"))}</th><th scope="col">${R.esc(R.t("next_stop"))}</th>` +
        `<th scope="col">${R.esc(R.t("last_report"))}</th></tr></thead><tbody>${rows}</tbody>`
      : `<tbody><tr><td>${R.esc(R.t("no_buses"))}</td></tr></tbody>`;
    renderBuses(buses);
    renderReports();
  }

  async function moveTrip(id) {
    try {
      const moved = await R.api(`/v1/dispatch/days/${city()}/${date()}/bookings/${id}/move`, { method: "POST" });
      await loadDay();
      notice("moved_ok", { id: shortId(id), a: moved.from_vehicle, b: moved.to_vehicle });
    } catch (e) {
      $("live-status").textContent = e instanceof R.ApiError ? e.text() : String(e);
    }
  }

  // The buses' last positions on the map: a dark ring, yellow inside when late.
  function renderBuses(buses) {
    if (!state.map) return;
    state.busLayer?.remove();
    const layer = L.featureGroup();
    for (const v of buses) {
      if (!v.position) continue;
      layer.addLayer(
        L.circleMarker([v.position.lat, v.position.lon], {
          radius: 11,
          color: "#111",
          weight: 3,
          fillColor: v.late_minutes > 0 ? "#ffd60a" : "#ffffff",
          fillOpacity: 1,
          className: `bus-${v.vehicle_id}`,
        }).bindTooltip(`${v.vehicle_id} · ${R.t("late")} ${v.late_minutes}`, { permanent: false }),
      );
    }
    layer.addTo(state.map);
    state.busLayer = layer;
  }

  // Each bus's legs along the fastest roads of the road graph, drawn once they all come. The
  // service answers at most PATH_BATCH legs a call (api/routers/geo.py MAX_LEGS): a whole day
  // is asked for in batches, one after the other.
  const PATH_BATCH = 500;
  async function loadPaths(day) {
    const legs = [];
    const spans = [];
    for (const route of day.routes) {
      const stops = route.stops.filter((s) => s.lat !== null);
      spans.push([legs.length, Math.max(0, stops.length - 1)]);
      for (let i = 1; i < stops.length; i++) {
        legs.push([stops[i - 1].lat, stops[i - 1].lon, stops[i].lat, stops[i].lon]);
      }
    }
    if (!legs.length) return;
    try {
      const paths = [];
      for (let first = 0; first < legs.length; first += PATH_BATCH) {
        const batch = legs.slice(first, first + PATH_BATCH);
        const answer = await R.api(`/v1/geo/${day.city}/paths`, { method: "POST", body: { legs: batch } });
        if (state.day !== day) return;
        paths.push(...answer.paths);
      }
      state.paths = paths;
      state.legSpans = spans;
      state.pathsDay = day;
      renderMap();
      $("map").dataset.paths = `${day.service_date}/${day.version}`;
    } catch {
      // the straight lines stay
    }
  }

  function notice(key, vars) {
    state.notice = key ? { key, vars } : null;
    showNotice();
  }

  function showNotice() {
    $("find-result").textContent = state.notice ? R.t(state.notice.key, state.notice.vars) : "";
  }

  const selectedRoute = () => state.day?.routes.find((r) => r.vehicle_id === state.selected);

  function fmt(name, value) {
    if (value === undefined || value === null) return "–";
    if (name === "shared_share") return `${Math.round(100 * value)}%`;
    if (Number.isInteger(value)) return String(value);
    return value.toFixed(name === "vehicle_km" ? 1 : 2);
  }

  function render() {
    if (!state.day) return;
    const f = state.day.figures;
    $("kpis").innerHTML = [...FIGURES, "stranded"].map(
      (name) => `<div><dt>${R.esc(R.t(name))}</dt><dd data-figure="${name}">${R.esc(fmt(name, f[name]))}</dd></div>`,
    ).join("");
    const stranded = state.day.not_planned.filter((b) => b.status === "stranded");
    $("stranded-alert").textContent = stranded.length
      ? R.t("stranded_alert", { n: stranded.length, ids: stranded.map((b) => shortId(b.booking_id)).join(", ") })
      : "";
    renderMap();
    renderTimeline();
    renderVehicle();
    renderUnplanned();
  }

  // ---- map ----
  function renderMap() {
    if (!state.map) return;
    state.routeLayer?.remove();
    const layer = L.featureGroup();
    state.day.routes.forEach((route, k) => {
      const dim = state.selected && state.selected !== route.vehicle_id;
      let points = route.stops.filter((s) => s.lat !== null).map((s) => [s.lat, s.lon]);
      if (state.paths && state.pathsDay === state.day) {
        const [first, count] = state.legSpans[k];
        points = state.paths.slice(first, first + count).flat();
      }
      if (points.length > 1) {
        layer.addLayer(
          L.polyline(points, {
            color: color(k),
            weight: dim ? 2 : 4,
            opacity: dim ? 0.25 : 0.85,
            interactive: false,
            className: `route-${route.vehicle_id}`,
          }),
        );
      }
      for (const stop of route.stops) {
        if (stop.lat === null) continue;
        const found = Boolean(state.found) && state.found === stop.booking_id;
        const options = {
          color: found ? "#111" : color(k),
          weight: found ? 4 : 2,
          fillColor: stop.kind === "pickup" ? color(k) : "#fff",
          fillOpacity: dim ? 0.25 : 1,
          opacity: dim ? 0.3 : 1,
          interactive: false,
          className: `stop-${stop.kind}-${stop.booking_id}`,
        };
        const marker =
          stop.kind === "pickup"
            ? L.circleMarker([stop.lat, stop.lon], { ...options, radius: found ? 10 : 5 })
            : L.rectangle(square(stop.lat, stop.lon, found ? 0.0009 : 0.0004), options);
        layer.addLayer(marker);
      }
    });
    layer.addTo(state.map);
    state.routeLayer = layer;
    const route = selectedRoute();
    const shown = route ? [route] : state.day.routes;
    const pts = shown.flatMap((r) => r.stops.filter((s) => s.lat !== null).map((s) => [s.lat, s.lon]));
    if (pts.length) state.map.fitBounds(L.latLngBounds(pts), { padding: [30, 30], maxZoom: 16 });
  }

  const square = (lat, lon, d) => [[lat - d / 2, lon - d / 2], [lat + d / 2, lon + d / 2]];

  // ---- timeline ----
  function renderTimeline() {
    const routes = state.day.routes;
    const box = $("timeline");
    if (!routes.length) {
      box.innerHTML = `<p>${R.esc(R.t("no_routes"))}</p>`;
      return;
    }
    let first = Math.min(...routes.map((r) => R.seconds(r.depart)));
    let last = Math.max(...routes.map((r) => R.seconds(r.return)));
    first = Math.floor(first / 3600) * 3600;
    last = Math.ceil(last / 3600) * 3600;
    const pct = (iso) => ((100 * (R.seconds(iso) - first)) / (last - first)).toFixed(2);
    const ticks = [];
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 18;
    const trackPx = Math.max(100, box.clientWidth - 10 * rem);
    const hours = (last - first) / 3600;
    const step = [1, 2, 3, 4, 6, 12].find((k) => (hours / k) * 3.2 * rem * 0.8 <= trackPx) || 12;
    for (let h = first / 3600; h <= last / 3600; h += step) {
      ticks.push(`<span style="left:${((100 * (h * 3600 - first)) / (last - first)).toFixed(2)}%">${String(h).padStart(2, "0")}:00</span>`);
    }
    const lanes = routes.map((route, k) => {
      const label =
        R.t("lane", { v: route.vehicle_id, n: route.stops.length, a: R.hm(route.depart), b: R.hm(route.return) }) +
        (route.locked_stops ? R.t("locked", { n: route.locked_stops }) : "");
      const marks = route.stops
        .map(
          (s) =>
            `<span class="stop ${s.kind}${state.found && state.found === s.booking_id ? " new" : ""}" data-booking="${R.esc(s.booking_id || "")}" style="left:${pct(s.start)}%;background:${color(k)};border-color:${color(k)}"></span>`,
        )
        .join("");
      const pressed = state.selected === route.vehicle_id;
      return (
        `<div class="lane" data-vehicle="${R.esc(route.vehicle_id)}">` +
        `<button type="button" class="secondary" aria-pressed="${pressed}" aria-label="${R.esc(label)}" data-select="${R.esc(route.vehicle_id)}">` +
        `<span class="swatch" style="background:${color(k)}" aria-hidden="true"></span>${R.esc(route.vehicle_id)}</button>` +
        `<div class="track" aria-hidden="true"><span class="span" style="left:${pct(route.depart)}%;width:${(pct(route.return) - pct(route.depart)).toFixed(2)}%;background:${color(k)}"></span>${marks}</div></div>`
      );
    });
    box.innerHTML = `<div class="axis" aria-hidden="true"><span></span><div class="ticks">${ticks.join("")}</div></div>${lanes.join("")}`;
    for (const button of box.querySelectorAll("[data-select]")) {
      button.addEventListener("click", () => {
        const id = button.dataset.select;
        state.selected = state.selected === id ? null : id;
        $("breakdown-form").hidden = true;
        $("vehicle-status").textContent = "";
        render();
        if (state.selected) $("vehicle-heading").focus();
        else box.querySelector(`[data-select="${id}"]`).focus();
      });
    }
  }

  // ---- one vehicle ----
  function renderVehicle() {
    const route = selectedRoute();
    $("vehicle-panel").hidden = !route;
    if (!route) return;
    $("vehicle-heading").textContent = R.t("vehicle_heading", { v: route.vehicle_id });
    const rows = route.stops
      .map(
        (s) =>
          `<tr${state.found && state.found === s.booking_id ? ' class="found"' : ""}><td>${R.hm(s.start)}</td><td>${R.esc(R.t(s.kind))}</td>` +
          `<td><code>${R.esc(shortId(s.booking_id))}</code></td><td>${R.esc(R.t(s.mobility || ""))}</td>` +
          `<td>${s.kind === "pickup" && s.window_start ? `${R.hm(s.window_start)}–${R.hm(s.window_end)}` : ""}</td></tr>`,
      )
      .join("");
    $("stops-table").innerHTML =
      `<caption class="visually-hidden">${R.esc(R.t("vehicle_heading", { v: route.vehicle_id }))}</caption>` +
      `<thead><tr><th scope="col">${R.esc(R.t("time"))}</th><th scope="col">${R.esc(R.t("stop"))}</th>` +
      `<th scope="col">${R.esc(R.t("booking"))}</th><th scope="col">${R.esc(R.t("mobility"))}</th>` +
      `<th scope="col">${R.esc(R.t("window"))}</th></tr></thead><tbody>${rows}</tbody>`;
    renderReports();
    const found = $("stops-table").querySelector("tr.found");
    const box = $("stops-table").parentElement;
    if (found) box.scrollTop = Math.max(0, found.offsetTop - box.clientHeight / 3);
  }

  // The selected bus's reports of the day, as its driver sent them (pushed with the live news).
  function renderReports() {
    const route = selectedRoute();
    if (!route) return;
    const events = state.live.get(route.vehicle_id)?.events || [];
    $("vehicle-reports").innerHTML = events.length
      ? events
          .map(
            (e) =>
              `<li data-report="${R.esc(e.kind)}">${R.esc(R.hm(e.at))} ${R.esc(R.t(`ev_${e.kind}`))}` +
              (e.booking_id ? ` <code>${R.esc(shortId(e.booking_id))}</code>` : "") +
              "</li>",
          )
          .join("")
      : `<li>${R.esc(R.t("no_reports"))}</li>`;
  }

  async function openManifest() {
    const route = selectedRoute();
    if (!route) return;
    const win = window.open("", "_blank");
    if (!win) {
      $("vehicle-status").textContent = R.t("popup_blocked");
      return;
    }
    try {
      const html = await R.api(`/v1/dispatch/days/${city()}/${date()}/vehicles/${route.vehicle_id}/manifest.html`, { raw: true });
      win.document.open();
      win.document.write(html);
      win.document.close();
    } catch (e) {
      win.close();
      $("vehicle-status").textContent = e instanceof R.ApiError ? e.text() : String(e);
    }
  }

  async function breakdown(event) {
    event.preventDefault();
    const route = selectedRoute();
    if (!route) return;
    try {
      const answer = await R.api(`/v1/dispatch/days/${city()}/${date()}/vehicles/${route.vehicle_id}/breakdown`, {
        method: "POST",
        body: { at: `${date()}T${$("breakdown-time").value}:00`, note: $("breakdown-note").value },
      });
      $("breakdown-form").hidden = true;
      state.selected = null;
      await loadDay();
      notice("breakdown_done", {
        v: answer.vehicle_id,
        m: Object.keys(answer.moved || {}).length,
        w: answer.waitlisted.length,
        a: answer.aboard.length,
        r: Object.keys(answer.rescued || {}).length,
        s: (answer.stranded || []).length,
      });
      $("timeline-heading").setAttribute("tabindex", "-1");
      $("timeline-heading").focus();
    } catch (e) {
      $("vehicle-status").textContent = e instanceof R.ApiError ? e.text() : String(e);
    }
  }

  // ---- waitlisted and refused ----
  function reasonText(code) {
    const [head, rest] = (code || "").split(":");
    const key = `reason_${head.split(".")[0]}`;
    const text = R.t(key, { v: rest || "" });
    return text === key ? "" : text;
  }

  function renderUnplanned() {
    const rows = state.day.not_planned;
    $("unplanned").innerHTML = rows.length
      ? `<table class="stops-table"><thead><tr><th scope="col">${R.esc(R.t("booking"))}</th><th scope="col">${R.esc(R.t("status"))}</th><th scope="col">${R.esc(R.t("reason"))}</th></tr></thead><tbody>` +
        rows
          .map(
            (b) =>
              `<tr data-booking="${R.esc(b.booking_id)}"><td><code>${R.esc(shortId(b.booking_id))}</code></td><td><span class="status ${R.esc(b.status)}">${R.esc(R.t(b.status))}</span></td><td>${R.esc(reasonText(b.reason))} <code>${R.esc(b.reason)}</code></td></tr>`,
          )
          .join("") +
        "</tbody></table>"
      : `<p>${R.esc(R.t("no_unplanned"))}</p>`;
  }

  // ---- finding a booking ----
  function findBooking() {
    locate($("find").value.trim());
  }

  function locate(wanted) {
    if (!wanted || !state.day) return;
    for (const route of state.day.routes) {
      const pickup = route.stops.find((s) => s.kind === "pickup" && s.booking_id?.startsWith(wanted));
      if (pickup) {
        const dropoff = route.stops.find((s) => s.kind === "dropoff" && s.booking_id === pickup.booking_id);
        state.found = pickup.booking_id;
        state.selected = route.vehicle_id;
        render();
        notice("found", { id: shortId(pickup.booking_id), v: route.vehicle_id, p: R.hm(pickup.start), d: R.hm(dropoff?.start) });
        return;
      }
    }
    const other = state.day.not_planned.find((b) => b.booking_id.startsWith(wanted));
    state.found = null;
    if (other) notice("found_unplanned", { id: shortId(other.booking_id), s: R.t(other.status) });
    else notice("not_found", { id: wanted });
  }

  // ---- re-optimization ----
  async function reoptimize() {
    const limit = Math.min(600, Math.max(1, Number($("time-limit").value) || 10));
    $("reopt-button").disabled = true;
    $("job").hidden = false;
    state.jobResult = null;
    try {
      state.job = await R.api(`/v1/dispatch/days/${city()}/${date()}/reoptimize`, {
        method: "POST",
        body: { time_limit_s: limit },
      });
    } catch (e) {
      $("job-status").textContent = e instanceof R.ApiError ? e.text() : String(e);
      $("reopt-button").disabled = false;
      return;
    }
    $("reopt-cancel").hidden = false;
    renderJob();
    while (state.job && ["queued", "running"].includes(state.job.status)) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      try {
        state.job = await R.api(`/v1/dispatch/jobs/${state.job.id}`);
      } catch (e) {
        $("job-status").textContent = e instanceof R.ApiError ? e.text() : String(e);
        break;
      }
      renderJob();
    }
    $("reopt-cancel").hidden = true;
    $("reopt-button").disabled = false;
    await loadDay();
    renderJob();
  }

  function jobMessageZh(job) {
    const m = job.message || "";
    if (m === "applied") return "";
    const progress = m.match(/^(\w+): (\d+)\/(\d+) served$/);
    if (progress) return `已排入 ${progress[2]}/${progress[3]} 筆`;
    if (m.startsWith("not applied: the day's bookings changed")) return "計算期間當日訂單有變動，請再執行一次。";
    if (m.startsWith("applied (no cheaper")) return "未找到更省的路線，維持原順序。";
    return m;
  }

  function renderJob() {
    const job = state.job;
    if (!job) return;
    $("job-progress").value = job.progress;
    $("job-progress").textContent = `${Math.round(100 * job.progress)}%`;
    const status = $("job-status");
    const applied = job.result && job.result.applied;
    const key = job.status === "succeeded" && applied ? "job_applied" : `job_${job.status}`;
    const text = R.t(key, { m: R.lang() === "en" ? job.message : jobMessageZh(job) });
    if (status.textContent !== text) status.textContent = text;
    status.dataset.status = job.status;
    const result = job.result;
    if (!result || !result.before) {
      $("job-result").innerHTML = "";
      return;
    }
    $("job-result").innerHTML =
      `<table class="figures"><caption class="visually-hidden">${R.esc(R.t("reopt_heading"))}</caption>` +
      `<thead><tr><th scope="col">${R.esc(R.t("figure"))}</th><th scope="col">${R.esc(R.t("before"))}</th><th scope="col">${R.esc(R.t("after"))}</th></tr></thead><tbody>` +
      FIGURES.map(
        (name) =>
          `<tr><th scope="row">${R.esc(R.t(name))}</th><td data-before="${name}">${R.esc(fmt(name, result.before[name]))}</td><td data-after="${name}">${R.esc(fmt(name, result.after[name]))}</td></tr>`,
      ).join("") +
      "</tbody></table>";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
