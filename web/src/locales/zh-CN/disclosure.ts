// disclosure messages (zh-CN), one section of the zh-CN catalogue (locales/zh-CN/index.ts).
export default {
  disclosure: {
    title: "信息公开",
  },
  disc: {
    note: "各机构月度汇总数据：不含医废袋、人员、设备或检查人员信息。",
    month: "月份",
    show: "查看该月",
    monthHint: "格式 YYYY-MM；留空为本月。",
    monthTitle: "{month} 各机构情况",
    generated: "生成于 {at}",
    downloads: "下载",
    json: "下载 JSON",
    csv: "下载 CSV",
    none: "没有可公开的机构。",
    kgSealed: "封袋重量",
    kgDisposed: "已处置重量",
    within48h: "48 小时内交接比例",
    violations: "已认定违规",
    chartLabel: "柱状图：{month} 各机构封袋重量与已处置重量（千克）",
    legend: "封袋重量：机构当月封袋的千克数。已处置重量：其中经确认已处置的千克数。48 小时内交接比例：封袋后 48 小时内由转运单位收运的比例。风险等级：A类最低，D类最高。",
    drawsTitle: "双随机抽查（双随机、一公开）",
  },
};
