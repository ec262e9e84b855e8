// The transport leg's pages of the app (zh-CN): the manifest list's sort and openness, the transport
// company's and the disposal centre's homes. One section of the zh-CN catalogue (locales/zh-CN/index.ts).
export default {
  manifestList: {
    openTitle: "是否办结",
    open: "未办结",
    closed: "已办结",
    sortTitle: "排序",
    sort: {
      newest: "最新签署在前",
      oldest: "最早签署在前",
      number: "按联单编号",
    },
  },
  transportHome: {
    nav: "今日收运",
    title: "今日收运",
    more: "显示前 {shown} 袋，共 {total} 袋。",
  },
  disposalHome: {
    nav: "今日接收",
    title: "今日接收：到了什么，少了什么",
    day: "今日（{day}）签收的联单，以及已收运尚未送达的医废袋。",
    received: "今日签收联单",
    refused: "拒收袋数",
    discrepant: "有差异的联单",
    short: "短少重量（kg）",
    expected: "在途待接收袋数",
    receivedTitle: "今日签收的联单",
    shortColumn: "短少",
    refusedTitle: "今日拒收的医废袋",
    expectedTitle: "已收运、尚未接收的医废袋",
  },
};
