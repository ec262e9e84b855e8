// dashboard messages (zh-CN), one section of the zh-CN catalogue (locales/zh-CN/index.ts).
export default {
  dashboard: {
    title: '城市医废监管看板',
    map: '辖区地图',
    mapNote: '机构按所在区放置，颜色表示未关闭告警',
    sealedToday: '今日封袋 (kg)',
    receivedToday: '今日封袋中已接收 (kg)',
    openAlerts: '未关闭告警',
    byLevel: '按级别',
    byRule: '按规则',
    rule: '规则',
    count: '数量',
    noAlerts: '无未关闭告警',
    institution: '机构',
    unplaced: '未在地图上放置的机构：{names}',
    forbidden: '您的角色无权查看城市看板。',
  },
  legend: { none: '无告警', warning: '有警告', critical: '有严重告警' },
};
