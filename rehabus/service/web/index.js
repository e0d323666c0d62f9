"use strict";
document.addEventListener("DOMContentLoaded", () =>
  Rehabus.setupChrome({
    "zh-Hant": {
      title: "rehabus 復康巴士",
      heading: "rehabus 復康巴士",
      intro: "臺南市復康巴士的預約與派車服務。",
      pages: "頁面",
      rider_title: "乘客預約",
      rider_text: "乘客與照顧者：預約行程、查看與取消。",
      console_title: "調度台",
      console_text: "調度員：當日路線地圖、各車時間軸、重新最佳化、行車單、故障處理。",
      docs_title: "API 文件",
      docs_text: "互動式 API 文件（OpenAPI）。",
      data_note: "資料：道路 © OpenStreetMap 貢獻者；行政區界 內政部；醫療院所 衛生福利部。",
    },
    en: {
      title: "rehabus: rehabilitation buses",
      heading: "rehabus: rehabilitation buses",
      intro: "Booking and dispatch for Tainan's wheelchair-accessible rehabilitation buses.",
      pages: "Pages",
      rider_title: "Book a trip",
      rider_text: "Riders and caregivers: book, see and cancel trips.",
      console_title: "Dispatcher console",
      console_text: "Dispatchers: the day's routes on a map, each bus's timeline, re-optimization, manifests, breakdowns.",
      docs_title: "API documentation",
      docs_text: "The interactive API documentation (OpenAPI).",
      data_note: "Data: roads © OpenStreetMap contributors; districts: Ministry of the Interior; medical institutions: Ministry of Health and Welfare.",
    },
  }),
);
