// home messages (en): the hospital's home page, one section of the en catalogue (locales/en/index.ts).
import type zh from '../zh-CN/home.ts';

export default {
  home: {
    nav: "My hospital",
    title: "{name}: today",
    institutionLink: "This institution: mass balance, credit, storage room climate",
    alerts: "Open alerts",
    register: "Handover register (bags sealed {day})",
    day: "Day",
    showDay: "Show day",
    registerCsv: "Download the day's register (CSV)",
    noBags: "No bag sealed that day.",
    bag: "Bag",
    department: "Department",
    category: "Category",
    state: "State",
  },
} satisfies typeof zh;
