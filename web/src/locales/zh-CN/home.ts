// home messages (zh-CN): the hospital's home page, one section of the zh-CN catalogue (locales/zh-CN/index.ts).
export default {
  home: {
    nav: "本院首页",
    title: "{name}：今日概况",
    institutionLink: "本院详情：物料平衡、信用评级、暂存间温湿度",
    alerts: "本院未处理预警",
    register: "交接登记（{day} 封袋）",
    day: "日期",
    showDay: "查看该日",
    registerCsv: "下载当日交接登记 CSV",
    noBags: "该日没有封袋。",
    bag: "医废袋",
    department: "科室",
    category: "类别",
    state: "状态",
  },
};
