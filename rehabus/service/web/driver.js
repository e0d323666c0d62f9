// The driver's page, on a phone or tablet in the bus: the bus's stops of the day in order, the
// next one large with the one action that comes next for it at the bottom of the screen; the
// depot, breaks and a breakdown; the bus's position every 20 s. Every report goes through a
// queue kept in localStorage and is sent in order, retried through network drops: its id is
// made once, when the driver taps, so a retry is never recorded twice.
"use strict";

(() => {
  const R = Rehabus;
  const $ = (id) => document.getElementById(id);
  const POSITION_EVERY_MS = 20_000;
  const POSITION_FRESH_MS = 120_000;
  const REFRESH_EVERY_MS = 60_000;
  const MAX_QUEUED_POSITIONS = 180;
  const TAP_GUARD_MS = 1_000;
  const RETRY_FIRST_MS = 2_000;
  const RETRY_MAX_MS = 60_000;
  const RANK = { planned: 0, arrived: 1, done: 2 };
  const STRINGS = {
    "zh-Hant": {
      title: "司機 · rehabus",
      heading: "復康巴士司機",
      sign_in_heading: "司機登入",
      drivers_only: "此頁面供司機使用，請以司機帳號登入。",
      tools_summary: "出車回報（出發、休息、故障）與服務日",
      day_heading: "服務日",
      date: "日期",
      show_day: "顯示",
      today: "今天",
      tomorrow: "明天",
      online: "已連線",
      offline: "離線",
      all_sent: "所有回報已送出",
      waiting: "{n} 筆回報等待送出",
      retrying: "恢復連線後自動送出",
      send_now: "立即重送",
      positions_waiting: "另有 {n} 筆位置等待送出。",
      position_on: "正在回報車輛位置（約每 20 秒一次）。",
      position_waiting_fix: "正在取得車輛位置…",
      position_off: "未回報車輛位置：{m}",
      position_denied: "未允許使用位置",
      position_unavailable: "無法取得位置",
      position_unsupported: "此裝置不提供位置",
      position_refused: "最近一筆位置未被接受：{m}",
      summary: "{d} · 車輛 {v}：共 {n} 站，尚餘 {left} 站。",
      late: "目前延誤約 {m} 分鐘。",
      on_time: "目前準時。",
      preview: "這是 {d} 的行程預覽：回報只能在當天送出。",
      no_stops: "這一天沒有排定的停靠站。",
      all_done: "這一天的停靠站都已完成。",
      loading: "載入中…",
      shift_heading: "出車回報",
      departed_depot: "已從車庫出發",
      departed_done: "已回報出發",
      break_start: "開始休息",
      break_end: "結束休息",
      break_planned: "休息：約 {t} 開始，{m} 分鐘（排在第 {n} 站之後）",
      break_on: "休息中：{t} 開始，{m} 分鐘",
      break_done: "今日休息已完成",
      breakdown: "車輛故障",
      breakdown_question: "確定回報車輛故障？此車今天的行程將改派給其他車輛，調度員會派車接駁車上乘客。",
      breakdown_note: "說明（選填）",
      confirm_breakdown: "確定回報故障",
      back: "返回",
      next_heading: "下一站",
      later_heading: "之後的停靠站",
      done_summary: "已完成 {n} 站",
      action_heading: "目前動作",
      pickup: "上車",
      dropoff: "下車",
      address: "地點",
      window: "承諾上車時間",
      estimate: "預計",
      mobility: "行動方式",
      companions: "陪同",
      companions_n: "{n} 位",
      note: "備註",
      phone: "電話",
      no_phone: "未提供",
      no_address: "（無地址）{lat}, {lon}",
      open_map: "開啟地圖導航",
      estimate_text: "{t}（{late}）",
      late_by: "晚 {m} 分鐘",
      early_by: "早 {m} 分鐘",
      on_schedule: "準時",
      risk_pickup_late: "超過承諾時間",
      risk_appointment_late: "可能趕不上看診",
      walks: "可步行",
      wheelchair: "輪椅（不下輪椅）",
      wheelchair_transfer: "輪椅（可移位到座椅）",
      state_arrived: "已抵達",
      state_done: "已完成",
      state_no_show: "未搭乘",
      not_sent: "待送出",
      act_arrived_pickup: "已抵達上車點",
      act_arrived_dropoff: "已抵達下車點",
      act_boarded: "乘客已上車",
      act_no_show: "乘客未出現",
      act_dropped_off: "乘客已下車",
      act_departed_depot: "已從車庫出發",
      act_break_started: "開始休息",
      act_break_ended: "結束休息",
      act_breakdown: "車輛故障",
      no_show_wait: "須等候至 {t} 才能記錄未搭乘（還有 {left}）。",
      no_show_ready: "已等候 {m} 分鐘，可以記錄未搭乘。",
      confirm_no_show: "確定記錄 {name} 未搭乘？",
      yes_no_show: "確定未搭乘",
      do_next: "改為下一站",
      which: "（{name}・{kind}）",
      recorded: "已記下：{what}。",
      refused: "未被接受：{what}",
      dismiss: "知道了",
      home: "首頁",
    },
    en: {
      title: "Driver · rehabus",
      heading: "Rehab bus driver",
      sign_in_heading: "Driver sign-in",
      drivers_only: "This page is for drivers: sign in with a driver's account.",
      tools_summary: "Shift reports (depot, breaks, breakdown) and the day",
      day_heading: "Service day",
      date: "Date",
      show_day: "Show",
      today: "Today",
      tomorrow: "Tomorrow",
      online: "Online",
      offline: "Offline",
      all_sent: "every report is sent",
      waiting: "{n} report(s) waiting to be sent",
      retrying: "sent automatically once the network is back",
      send_now: "Send now",
      positions_waiting: "{n} position(s) waiting to be sent too.",
      position_on: "Sending the bus's position (about every 20 s).",
      position_waiting_fix: "Finding the bus's position…",
      position_off: "The bus's position is not sent: {m}",
      position_denied: "location not allowed",
      position_unavailable: "no location available",
      position_unsupported: "this device gives no location",
      position_refused: "The last position was not accepted: {m}",
      summary: "{d} · Bus {v}: {n} stops, {left} to go.",
      late: "Running about {m} min late.",
      on_time: "On time.",
      preview: "A preview of {d}: reports can be sent only on the day itself.",
      no_stops: "No stops on this day.",
      all_done: "Every stop of this day is done.",
      loading: "Loading…",
      shift_heading: "Shift",
      departed_depot: "Left the depot",
      departed_done: "Departure reported",
      break_start: "Start a break",
      break_end: "End the break",
      break_planned: "Break: from about {t}, {m} min (after stop {n})",
      break_on: "On break since {t}, {m} min",
      break_done: "Today's break is taken",
      breakdown: "Breakdown",
      breakdown_question: "Report a breakdown? This bus's trips of the day go to other buses, and dispatch sends a bus for the riders aboard.",
      breakdown_note: "What happened (optional)",
      confirm_breakdown: "Report the breakdown",
      back: "Back",
      next_heading: "Next stop",
      later_heading: "Later stops",
      done_summary: "{n} stops done",
      action_heading: "Current action",
      pickup: "Pickup",
      dropoff: "Drop-off",
      address: "Place",
      window: "Promised pickup",
      estimate: "Expected",
      mobility: "Mobility",
      companions: "Companions",
      companions_n: "{n}",
      note: "Note",
      phone: "Phone",
      no_phone: "none given",
      no_address: "(no address) {lat}, {lon}",
      open_map: "Open in maps",
      estimate_text: "{t} ({late})",
      late_by: "{m} min late",
      early_by: "{m} min early",
      on_schedule: "on time",
      risk_pickup_late: "past the promised time",
      risk_appointment_late: "may miss the appointment",
      walks: "Walks",
      wheelchair: "Wheelchair (stays in it)",
      wheelchair_transfer: "Wheelchair (can move to a seat)",
      state_arrived: "Arrived",
      state_done: "Done",
      state_no_show: "No-show",
      not_sent: "not sent yet",
      act_arrived_pickup: "Arrived at pickup",
      act_arrived_dropoff: "Arrived at drop-off",
      act_boarded: "Rider boarded",
      act_no_show: "Rider not there",
      act_dropped_off: "Rider dropped off",
      act_departed_depot: "Left the depot",
      act_break_started: "Break started",
      act_break_ended: "Break ended",
      act_breakdown: "Breakdown",
      no_show_wait: "A no-show can be recorded from {t} ({left} to wait).",
      no_show_ready: "Waited {m} min: a no-show may be recorded.",
      confirm_no_show: "Record {name} as not there?",
      yes_no_show: "Yes, not there",
      do_next: "Do this stop next",
      which: " ({name}, {kind})",
      recorded: "Noted: {what}.",
      refused: "Not accepted: {what}",
      dismiss: "Dismiss",
      home: "Home",
    },
  };

  const state = {
    user: null,
    day: null,
    applied: [],
    focus: null,
    confirming: null,
    guardUntil: 0,
    sending: false,
    failures: 0,
    retryTimer: null,
    reachable: true,
    position: null,
    positionSentAt: 0,
    positionNote: "",
    watching: null,
    readyNoShow: null,
    refusals: [],
    riders: new Map(), // booking id -> rider's name, of the days read (never stored on the device)
  };

  // ---- time: the city's wall clock (Taipei, +08:00) whatever the device's own zone ----
  const OFFSET_MS = 8 * 3600 * 1000;
  const cityIso = (ms) => new Date(ms + OFFSET_MS).toISOString().slice(0, 19) + "+08:00";
  const today = () => R.cityToday(0);
  const attr = (value) => R.esc(value).replaceAll('"', "&quot;");
  const isToday = () => Boolean(state.day) && state.day.service_date === today();

  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The page's language first, the other one beside it, for what a driver reads at a glance.
  function other(key, vars) {
    const code = R.lang() === "en" ? "zh-Hant" : "en";
    let text = STRINGS[code][key] ?? key;
    for (const [name, value] of Object.entries(vars || {})) text = text.replaceAll(`{${name}}`, String(value));
    return [code, text];
  }
  function both(key, vars) {
    const [code, text] = other(key, vars);
    return `<span class="lang-main">${R.esc(R.t(key, vars))}</span> <span class="lang-other" lang="${code}">${R.esc(text)}</span>`;
  }

  // ---- the queue of reports (localStorage: a reload or a lost network keeps it). What it keeps
  // is the reports as sent (ids, kinds, times, places): no rider's name or details. ----
  const queueKey = () => `rehabus.driver.queue.${state.user.id}`;
  const shiftKey = () => `rehabus.driver.shift.${state.user.id}.${today()}`;

  function readQueue() {
    try {
      const queue = JSON.parse(localStorage.getItem(queueKey()) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch {
      return [];
    }
  }

  function writeQueue(queue) {
    localStorage.setItem(queueKey(), JSON.stringify(queue));
  }

  function enqueue(item) {
    const queue = readQueue();
    queue.push(item);
    // Positions kept while the network is down: the latest ones (events are always kept).
    let extra = queue.filter((i) => i.type === "position").length - MAX_QUEUED_POSITIONS;
    const kept = queue.filter((i) => !(i.type === "position" && extra-- > 0));
    writeQueue(kept);
    showStatus();
    // A tap is tried at once; a position waits for a retry already planned.
    if (item.type === "event" || state.retryTimer === null) pump();
  }

  function dequeue(id) {
    writeQueue(readQueue().filter((i) => i.id !== id));
  }

  const retryable = (status) => status === 0 || status === 408 || status === 429 || status >= 500;

  async function pump() {
    if (state.sending || !state.user) return;
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    state.sending = true;
    let answered = 0; // events the service answered: the day is read again once all are sent
    try {
      for (;;) {
        const item = readQueue()[0];
        if (!item) break;
        const path = item.type === "event" ? "/v1/driver/events" : "/v1/driver/positions";
        try {
          await R.api(path, { method: "POST", body: item.body });
          dequeue(item.id);
          if (item.type === "event") {
            state.applied.push({ body: item.body, sentAt: Date.now() });
            answered += 1;
          }
          state.failures = 0;
          state.reachable = true;
        } catch (e) {
          const status = e instanceof R.ApiError ? e.status : 0;
          if (retryable(status)) {
            state.reachable = status !== 0;
            state.failures += 1;
            const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (state.failures - 1));
            state.retryTimer = setTimeout(pump, wait * (0.75 + Math.random() / 2));
            break;
          }
          if (status === 401) break; // signed out (the page reloads); the queue waits for the next sign-in
          state.reachable = true;
          const detail = e.detail || [];
          if (item.type === "event" && item.body.lat !== undefined && detail.some((d) => d.field === "lat")) {
            // The event stands without a place the service refuses (outside its area).
            const queue = readQueue();
            const same = queue.find((i) => i.id === item.id);
            if (same) {
              delete same.body.lat;
              delete same.body.lon;
              writeQueue(queue);
            }
            continue;
          }
          dequeue(item.id);
          if (item.type === "event") {
            answered += 1;
            refused(item, detail, e.text());
          } else {
            state.positionNote = R.t("position_refused", { m: e.text() });
          }
        }
      }
    } finally {
      state.sending = false;
    }
    showStatus();
    if (answered && !readQueue().length) await loadDay();
  }

  function refused(item, detail, text) {
    const rider = state.riders.get(item.body.booking_id) || "";
    state.refusals.push({ body: item.body, detail, text, rider });
    showRefusals();
  }

  function eventLabel(body) {
    const key = body.kind === "arrived" ? `act_arrived_${body.stop}` : `act_${body.kind}`;
    return R.t(key);
  }

  function showRefusals() {
    const el = $("report-error");
    if (!state.refusals.length) {
      el.innerHTML = "";
      return;
    }
    const items = state.refusals
      .map(({ body, detail, text, rider }) => {
        const what = eventLabel(body) + (rider ? ` · ${rider}` : "") + ` · ${R.hm(body.at)}`;
        const said = detail.length
          ? detail
              .map((d) => `${R.esc(d.message_zh)} <span lang="en">${R.esc(d.message_en)}</span>` + (d.field ? ` (${R.esc(d.field)})` : ""))
              .join(" ")
          : R.esc(text);
        return `<li><strong>${R.esc(R.t("refused", { what }))}</strong><br>${said}</li>`;
      })
      .join("");
    el.innerHTML = `<ul class="refusals">${items}</ul><button type="button" class="secondary" id="dismiss-refusals">${R.esc(R.t("dismiss"))}</button>`;
    $("dismiss-refusals").addEventListener("click", () => {
      state.refusals = [];
      showRefusals();
      $("main").focus();
    });
  }

  function showStatus() {
    if (!state.user) return;
    const queue = readQueue();
    const events = queue.filter((i) => i.type === "event").length;
    const positions = queue.length - events;
    const online = navigator.onLine && state.reachable;
    const el = $("net-status");
    el.dataset.online = String(online);
    el.dataset.waiting = String(events);
    el.dataset.positions = String(positions);
    const parts = [`${online ? "●" : "○"} ${R.t(online ? "online" : "offline")}`];
    parts.push(events ? R.t("waiting", { n: events }) : R.t("all_sent"));
    if (queue.length && !online) parts.push(R.t("retrying"));
    const text = parts.join(" · ");
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("is-offline", !online);
    $("send-now").hidden = !queue.length;
    const notes = [];
    if (positions) notes.push(R.t("positions_waiting", { n: positions }));
    if (state.positionNote) notes.push(state.positionNote);
    else if (state.watching !== null) notes.push(R.t(state.position ? "position_on" : "position_waiting_fix"));
    const note = notes.join(" ");
    if ($("position-status").textContent !== note) $("position-status").textContent = note;
  }

  // ---- the day, with the reports not yet reflected in it ----
  async function loadDay() {
    const date = $("date").value || today();
    const started = Date.now();
    $("main").setAttribute("aria-busy", "true");
    try {
      const day = await R.api(`/v1/driver/day?service_date=${encodeURIComponent(date)}`);
      if (date !== ($("date").value || today())) return;
      if (!state.day || state.day.service_date !== day.service_date) state.focus = null;
      state.day = day;
      for (const s of day.stops) state.riders.set(s.booking_id, s.rider);
      state.applied = state.applied.filter((a) => a.sentAt >= started);
      $("day-error").textContent = "";
    } catch (e) {
      if (e instanceof R.ApiError && e.status === 0) state.reachable = false;
      $("day-error").textContent = e instanceof R.ApiError ? e.text() : String(e);
    } finally {
      $("main").removeAttribute("aria-busy");
    }
    showStatus();
    render();
  }

  function pendingEvents() {
    const sent = state.applied.map((a) => ({ body: a.body, queued: false }));
    const queued = readQueue()
      .filter((i) => i.type === "event")
      .map((i) => ({ body: i.body, queued: true }));
    return [...sent, ...queued];
  }

  // The day's stops as the driver has reported them: the service's answer, and over it each
  // report it has not reflected yet (still queued, or sent since the day was read).
  function stops() {
    if (!state.day) return [];
    const all = state.day.stops.map((s) => ({ ...s, queued: false, noShow: false, gone: false }));
    const find = (booking, kind) => all.find((s) => s.booking_id === booking && s.kind === kind);
    const raise = (s, to, queued) => {
      if (!s || RANK[to] <= RANK[s.state]) return;
      s.state = to;
      s.queued = s.queued || queued;
    };
    for (const { body, queued } of pendingEvents()) {
      if (!body.booking_id) continue;
      if (body.kind === "arrived") {
        const s = find(body.booking_id, body.stop);
        raise(s, "arrived", queued);
        if (s && s.kind === "pickup" && s.state === "arrived" && !s.no_show_from) {
          const start = s.promised_window ? Date.parse(s.promised_window[0]) : 0;
          const wait = 60_000 * state.day.no_show_wait_minutes;
          s.no_show_from = cityIso(Math.max(Date.parse(body.at), start) + wait);
        }
      } else if (body.kind === "boarded") {
        raise(find(body.booking_id, "pickup"), "done", queued);
      } else if (body.kind === "no_show") {
        const s = find(body.booking_id, "pickup");
        raise(s, "done", queued);
        if (s) s.noShow = true;
        const d = find(body.booking_id, "dropoff");
        if (d) d.gone = true;
      } else if (body.kind === "dropped_off") {
        raise(find(body.booking_id, "dropoff"), "done", queued);
      }
    }
    return all.filter((s) => !s.gone);
  }

  const stopKey = (s) => `${s.booking_id}:${s.kind}`;

  function nextStop(list) {
    const open = list.filter((s) => s.state !== "done");
    return open.find((s) => stopKey(s) === state.focus) || open[0] || null;
  }

  // ---- showing it ----
  function kindBadge(s) {
    return `<span class="kind-badge ${attr(s.kind)}"><span aria-hidden="true">${s.kind === "pickup" ? "▲" : "▼"}</span> ${both(s.kind)}</span>`;
  }

  // Which stop a repeated link or button is for, said to screen readers.
  const which = (s) => `<span class="visually-hidden">${R.esc(R.t("which", { name: s.rider, kind: R.t(s.kind) }))}</span>`;

  function lateness(s) {
    const minutes = Math.round((Date.parse(s.estimate) - Date.parse(s.planned)) / 60_000);
    if (minutes >= 1) return R.t("late_by", { m: minutes });
    if (minutes <= -1) return R.t("early_by", { m: -minutes });
    return R.t("on_schedule");
  }

  function addressOf(s) {
    return s.address || R.t("no_address", { lat: s.lat.toFixed(5), lon: s.lon.toFixed(5) });
  }

  function facts(s, full) {
    const rows = [];
    const map = /^https:\/\//.test(s.map_url || "")
      ? ` <a class="button map-link" href="${attr(s.map_url)}" target="_blank" rel="noopener noreferrer">${R.esc(R.t("open_map"))}${which(s)}</a>`
      : "";
    rows.push([R.t("address"), R.esc(addressOf(s)) + map]);
    if (s.promised_window) rows.push([R.t("window"), R.esc(`${R.hm(s.promised_window[0])}–${R.hm(s.promised_window[1])}`)]);
    if (s.state !== "done") {
      const risk = s.risk ? ` <strong class="risk">⚠ ${R.esc(R.t("risk_" + s.risk))}</strong>` : "";
      rows.push([R.t("estimate"), R.esc(R.t("estimate_text", { t: R.hm(s.estimate), late: lateness(s) })) + risk]);
    }
    rows.push([R.t("mobility"), both(s.mobility)]);
    rows.push([R.t("companions"), R.esc(R.t("companions_n", { n: s.companions }))]);
    if (s.note) rows.push([R.t("note"), R.esc(s.note)]);
    if (full) {
      const digits = (s.phone || "").replace(/[^0-9+]/g, "");
      rows.push([
        R.t("phone"),
        digits ? `<a class="button phone-link" href="tel:${attr(digits)}">${R.esc(s.phone)}</a>` : R.esc(R.t("no_phone")),
      ]);
    }
    return `<dl class="facts stop-facts">${rows.map(([k, v]) => `<dt>${R.esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
  }

  function stateText(s) {
    let text = "";
    if (s.state === "arrived") text = R.t("state_arrived");
    if (s.state === "done") text = R.t(s.noShow ? "state_no_show" : "state_done");
    if (s.queued) text += `${text ? " · " : ""}${R.t("not_sent")}`;
    return text ? ` <span class="stop-state">${R.esc(text)}</span>` : "";
  }

  function stopHeading(s, level) {
    return (
      `<h${level} class="stop-title"><span class="stop-time">${R.esc(R.hm(s.planned))}</span> ${kindBadge(s)} ` +
      `<span class="rider">${R.esc(s.rider)}</span>${stateText(s)}</h${level}>`
    );
  }

  function render() {
    if (!state.user) return;
    const list = stops();
    const day = state.day;
    const live = isToday();
    const next = nextStop(list);
    const done = list.filter((s) => s.state === "done");
    const later = list.filter((s) => s.state !== "done" && s !== next);

    if (day) {
      const summary = [R.t("summary", { d: day.service_date, v: day.vehicle_id, n: list.length, left: list.length - done.length })];
      if (live && next) summary.push(day.late_minutes > 0 ? R.t("late", { m: day.late_minutes }) : R.t("on_time"));
      $("day-summary").textContent = summary.join(" ");
    } else {
      $("day-summary").textContent = "";
    }
    $("preview-note").hidden = !day || live;
    $("preview-note").textContent = day ? R.t("preview", { d: day.service_date }) : "";
    $("shift-section").hidden = !live;
    renderShift();
    if (day && state.toolsFor !== day.service_date) {
      // Open at the start of the day, for the departure from the depot.
      state.toolsFor = day.service_date;
      $("tools-section").open = live && list.length > 0 && !readShift().departed && list.every((s) => s.state === "planned");
    }

    $("next-section").hidden = !day;
    const nextEl = $("next-stop");
    if (!day) nextEl.innerHTML = "";
    else if (!list.length) nextEl.innerHTML = `<p class="note">${R.esc(R.t("no_stops"))}</p>`;
    else if (!next) nextEl.innerHTML = `<p class="note">${R.esc(R.t("all_done"))}</p>`;
    else {
      nextEl.innerHTML =
        `<article class="stop-card next ${attr(next.kind)}" data-booking="${attr(next.booking_id)}" data-kind="${attr(next.kind)}" data-state="${attr(next.state)}">` +
        stopHeading(next, 3) +
        facts(next, true) +
        `</article>`;
    }

    $("later-section").hidden = !later.length;
    $("later-stops").innerHTML = later
      .map(
        (s) =>
          `<li class="stop-card ${attr(s.kind)}" data-booking="${attr(s.booking_id)}" data-kind="${attr(s.kind)}" data-state="${attr(s.state)}">` +
          stopHeading(s, 3) +
          facts(s, true) +
          (live ? `<p><button type="button" class="secondary" data-next="${attr(stopKey(s))}">${R.esc(R.t("do_next"))}${which(s)}</button></p>` : "") +
          `</li>`,
      )
      .join("");
    for (const button of $("later-stops").querySelectorAll("[data-next]")) {
      button.addEventListener("click", () => {
        state.focus = button.dataset.next;
        state.confirming = null;
        render();
        $("next-heading").setAttribute("tabindex", "-1");
        $("next-heading").focus();
      });
    }

    $("done-section").hidden = !done.length;
    $("done-summary").textContent = R.t("done_summary", { n: done.length });
    $("done-stops").innerHTML = done
      .map(
        (s) =>
          `<li class="stop-card done ${attr(s.kind)}" data-booking="${attr(s.booking_id)}" data-kind="${attr(s.kind)}" data-state="done">` +
          stopHeading(s, 3) +
          `<p>${R.esc(addressOf(s))}</p></li>`,
      )
      .join("");

    renderActions(live ? next : null);
  }

  function renderShift() {
    const shift = readShift();
    const departed = $("departed-button");
    departed.innerHTML = both(shift.departed ? "departed_done" : "departed_depot");
    departed.disabled = Boolean(shift.departed);
    $("break-button").innerHTML = both(shift.onBreak ? "break_end" : "break_start");
    const pause = state.day && state.day.driver_break;
    const plan = $("break-plan");
    plan.hidden = !pause;
    if (pause) {
      const key = { planned: "break_planned", arrived: "break_on", done: "break_done" }[pause.state] || "break_planned";
      plan.innerHTML = both(key, { t: R.hm(pause.estimate), m: pause.minutes, n: pause.after });
    }
    $("breakdown-button").innerHTML = both("breakdown");
    $("breakdown-confirm").innerHTML = both("confirm_breakdown");
    $("breakdown-back").textContent = R.t("back");
  }

  function readShift() {
    try {
      return JSON.parse(localStorage.getItem(shiftKey()) || "{}") || {};
    } catch {
      return {};
    }
  }

  function writeShift(shift) {
    localStorage.setItem(shiftKey(), JSON.stringify(shift));
  }

  function forgetOldShifts() {
    const prefix = `rehabus.driver.shift.${state.user.id}.`;
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(prefix) && key !== shiftKey()) localStorage.removeItem(key);
    }
  }

  function actionsFor(s) {
    if (s.state === "planned") return [{ kind: "arrived", label: `act_arrived_${s.kind}` }];
    if (s.kind === "pickup") return [{ kind: "boarded", label: "act_boarded" }, { kind: "no_show", label: "act_no_show" }];
    return [{ kind: "dropped_off", label: "act_dropped_off" }];
  }

  function renderActions(s) {
    const bar = $("action-bar");
    bar.hidden = !s;
    document.body.classList.toggle("has-actions", Boolean(s));
    if (!s) {
      $("actions").innerHTML = "";
      return;
    }
    const wantFocus = state.refocus || bar.contains(document.activeElement);
    const guarded = Date.now() < state.guardUntil;
    $("action-for").innerHTML = `${kindBadge(s)} <span class="rider">${R.esc(s.rider)}</span>`;
    const key = stopKey(s);
    if (state.confirming === key) {
      $("actions").innerHTML =
        `<p id="no-show-question" class="confirm-question">${R.esc(R.t("confirm_no_show", { name: s.rider }))}</p>` +
        `<div class="confirm-buttons"><button type="button" class="danger big" data-act="no_show_yes" aria-describedby="no-show-question">${both("yes_no_show")}</button>` +
        `<button type="button" class="secondary" data-act="no_show_back">${R.esc(R.t("back"))}</button></div>`;
    } else {
      const [primary, second] = actionsFor(s);
      $("actions").innerHTML =
        `<button type="button" class="big primary-action" data-act="${primary.kind}"${guarded ? " disabled" : ""}>${both(primary.label)}</button>` +
        (second
          ? `<div class="second-action"><button type="button" class="secondary" data-act="${second.kind}" aria-describedby="no-show-wait-bar" disabled>${both(second.label)}</button>` +
            `<p id="no-show-wait-bar" class="no-show-wait"></p></div>`
          : "");
    }
    for (const button of $("actions").querySelectorAll("[data-act]")) {
      button.addEventListener("click", () => act(s, button.dataset.act));
    }
    tick();
    if (wantFocus) {
      // After a tap, the next action takes the focus once it can be used.
      const target = $("actions").querySelector("button:not([disabled])");
      state.refocus = !target;
      target?.focus();
    }
    if (guarded) setTimeout(render, state.guardUntil - Date.now() + 20);
  }

  // The countdown to a no-show, once a second.
  function tick() {
    const button = $("actions").querySelector("[data-act=no_show]");
    const wait = $("no-show-wait-bar");
    if (!button || !wait) return;
    const s = nextStop(stops());
    if (!s || !s.no_show_from) return;
    const left = Date.parse(s.no_show_from) - Date.now();
    const guarded = Date.now() < state.guardUntil;
    let text;
    if (left > 0) {
      const total = Math.ceil(left / 1000);
      const clock = `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
      text = R.t("no_show_wait", { t: R.hm(s.no_show_from), left: clock });
      button.disabled = true;
    } else {
      text = R.t("no_show_ready", { m: state.day.no_show_wait_minutes });
      button.disabled = guarded;
      if (state.readyNoShow !== stopKey(s)) {
        state.readyNoShow = stopKey(s);
        $("announce").textContent = text;
      }
    }
    wait.textContent = text;
    wait.dataset.left = String(Math.max(0, Math.ceil(left / 1000)));
  }

  // ---- the driver's taps ----
  function act(s, what) {
    const key = stopKey(s);
    if (what === "no_show") {
      state.confirming = key;
      state.refocus = true;
      render();
      return;
    }
    if (what === "no_show_back") {
      state.confirming = null;
      state.refocus = true;
      render();
      return;
    }
    if (Date.now() < state.guardUntil) return;
    const kind = what === "no_show_yes" ? "no_show" : what;
    state.confirming = null;
    report(kind, s);
  }

  function report(kind, s, extra) {
    state.guardUntil = Date.now() + TAP_GUARD_MS;
    const body = { id: newId(), kind, at: cityIso(Date.now()) };
    if (s) {
      body.booking_id = s.booking_id;
      if (kind === "arrived") body.stop = s.kind;
      state.focus = stopKey(s);
    }
    Object.assign(body, extra || {});
    const what = eventLabel(body) + (s ? ` · ${s.rider}` : "");
    $("announce").textContent = R.t("recorded", { what });
    state.refocus = Boolean(s);
    enqueue({ id: body.id, type: "event", body });
    render();
  }

  function setupShift() {
    $("departed-button").addEventListener("click", () => {
      writeShift({ ...readShift(), departed: true });
      report("departed_depot", null);
    });
    $("break-button").addEventListener("click", () => {
      const shift = readShift();
      writeShift({ ...shift, onBreak: !shift.onBreak });
      report(shift.onBreak ? "break_ended" : "break_started", null);
      $("break-button").focus();
    });
    $("breakdown-button").addEventListener("click", () => {
      $("breakdown-form").hidden = false;
      $("breakdown-confirm").focus();
    });
    $("breakdown-back").addEventListener("click", () => {
      $("breakdown-form").hidden = true;
      $("breakdown-button").focus();
    });
    $("breakdown-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const extra = {};
      const note = $("breakdown-note").value.trim();
      if (note) extra.note = note.slice(0, 500);
      const p = state.position;
      if (p && Date.now() - p.ms < POSITION_FRESH_MS) Object.assign(extra, { lat: p.lat, lon: p.lon });
      $("breakdown-form").hidden = true;
      $("breakdown-note").value = "";
      report("breakdown", null, extra);
      $("breakdown-button").focus();
    });
  }

  // ---- the bus's position ----
  function watchPosition() {
    if (state.watching !== null) return;
    if (!("geolocation" in navigator)) {
      state.positionNote = R.t("position_off", { m: R.t("position_unsupported") });
      showStatus();
      return;
    }
    state.watching = navigator.geolocation.watchPosition(
      (p) => {
        state.position = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy, ms: Date.now() };
        state.positionNote = "";
        sendPosition();
        showStatus();
      },
      (error) => {
        const why = error.code === error.PERMISSION_DENIED ? "position_denied" : "position_unavailable";
        state.positionNote = R.t("position_off", { m: R.t(why) });
        showStatus();
      },
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 60_000 },
    );
    // A bus standing still gets no new fix: its last one is sent again while it is fresh.
    setInterval(sendPosition, 5_000);
  }

  function sendPosition() {
    const p = state.position;
    const now = Date.now();
    if (!p || now - p.ms > POSITION_FRESH_MS || now - state.positionSentAt < POSITION_EVERY_MS) return;
    state.positionSentAt = now;
    const body = { at: cityIso(now), lat: p.lat, lon: p.lon };
    if (Number.isFinite(p.accuracy)) body.accuracy_m = Math.min(100_000, Math.max(0, p.accuracy));
    enqueue({ id: newId(), type: "position", body });
  }

  // ---- signing in ----
  function showWho() {
    if (!state.user) return;
    $("who").hidden = false;
    $("who").textContent = R.t("signed_in", { name: state.user.display_name || state.user.username, role: R.t("role_" + state.user.role) });
  }

  async function start() {
    R.setupChrome(STRINGS);
    R.onLanguage(() => {
      showWho();
      showStatus();
      showRefusals();
      render();
    });
    await R.startSignIn({
      roles: ["driver"],
      refuse: () => ($("sign-in-error").textContent = R.t("drivers_only")),
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
    showWho();
    $("date").value = today();
    $("day-form").addEventListener("submit", (event) => {
      event.preventDefault();
      loadDay();
    });
    $("today-button").addEventListener("click", () => {
      $("date").value = today();
      loadDay();
    });
    $("tomorrow-button").addEventListener("click", () => {
      $("date").value = R.cityToday(1);
      loadDay();
    });
    $("send-now").addEventListener("click", () => {
      state.failures = 0;
      pump();
    });
    setupShift();
    forgetOldShifts();
    window.addEventListener("online", () => {
      state.reachable = true;
      state.failures = 0;
      showStatus();
      pump();
    });
    window.addEventListener("offline", showStatus);
    setInterval(tick, 1_000);
    setInterval(() => {
      if (!state.sending && !readQueue().length && navigator.onLine) loadDay();
    }, REFRESH_EVERY_MS);
    showStatus();
    watchPosition();
    await loadDay();
    pump();
    $("main").focus();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
