/**
 * What the station says, in zh-CN and English. Workflow states and notices carry only a message code and
 * parameters; the kiosk page renders them in the language the operator chose. `{name}` is replaced by a
 * parameter; category, mode, field, slot and role values are translated too.
 */
import type { MessageCode, MessageParams } from './workflow.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
type Text = Readonly<Record<Language, string>>;

export const MESSAGES: Readonly<Record<MessageCode, Text>> = {
  PLACE_BAG: { 'zh-CN': '请将医疗废物袋放上秤，或扫描袋上的二维码', en: 'Put the bag on the scale or scan its label' },
  SCAN_BAGS: { 'zh-CN': '请放置或扫描要交接的废物袋', en: 'Bring the bags to the reader or scan their labels' },
  CHOOSE_CATEGORY: { 'zh-CN': '请选择废物类别', en: 'Choose the waste category' },
  WAIT_WEIGHT: { 'zh-CN': '请将废物放稳在秤上，等待重量稳定', en: 'Keep the load still on the scale until the weight is steady' },
  ENTER_VEHICLE: { 'zh-CN': '请输入车牌号', en: 'Enter the vehicle plate' },
  ENTER_MANIFEST: { 'zh-CN': '请输入转移联单编号', en: 'Enter the transfer manifest number' },
  ENTER_METHOD: { 'zh-CN': '请选择处置方式', en: 'Choose the disposal method' },
  ENTER_BATCH: { 'zh-CN': '请输入处置批次号', en: 'Enter the disposal batch number' },
  TAP_STAFF_BADGE: { 'zh-CN': '请科室人员刷工牌确认封袋', en: 'Department staff: tap your badge to seal the bag' },
  TAP_GIVER_BADGE: { 'zh-CN': '请交出方刷工牌', en: 'Person handing over: tap your badge' },
  TAP_RECEIVER_BADGE: { 'zh-CN': '请院内收集人员刷工牌', en: 'Collector: tap your badge' },
  TAP_KEEPER_BADGE: { 'zh-CN': '请暂存间管理员刷工牌', en: 'Storage keeper: tap your badge' },
  TAP_CREW_BADGE: { 'zh-CN': '请转运人员刷工牌', en: 'Transport crew: tap your badge' },
  TAP_OPERATOR_BADGE: { 'zh-CN': '请处置中心操作员刷工牌', en: 'Disposal operator: tap your badge' },
  SAVING: { 'zh-CN': '正在保存记录…', en: 'Saving the record…' },

  SCAN_BOX: { 'zh-CN': '请扫描周转箱标签', en: 'Scan the turnover box' },
  SCAN_BAGS_FOR_BOX: { 'zh-CN': '请将要装入或取出周转箱 {box} 的废物袋放到读卡区', en: 'Bring the bags going into or out of box {box}' },
  TAP_AUTHORISER_BADGE: { 'zh-CN': '请负责人刷工牌确认更正记录 #{seq}', en: 'A supervisor: tap your badge to authorise the correction of record #{seq}' },
  PACKED: { 'zh-CN': '已装箱：{count} 袋装入周转箱 {box}（记录 #{seq}）', en: 'Packed: {count} bags into box {box} (record #{seq})' },
  UNPACKED: { 'zh-CN': '已出箱：{count} 袋从周转箱 {box} 取出（记录 #{seq}）', en: 'Unpacked: {count} bags out of box {box} (record #{seq})' },
  CORRECTED: { 'zh-CN': '已更正记录 #{target}（{action}，更正记录 #{seq}）', en: 'Record #{target} corrected ({action}; correction record #{seq})' },
  BOX_SET: { 'zh-CN': '周转箱：{box}', en: 'Turnover box: {box}' },
  CORRECTION_STARTED: { 'zh-CN': '正在更正记录 #{seq}（{action}）', en: 'Correcting record #{seq} ({action})' },
  TWO_BOXES: { 'zh-CN': '已选周转箱 {box}，不能再选 {tag}；请取消后重来', en: 'Box {box} is chosen already, not {tag}: cancel to start again' },
  BOX_NOT_A_BAG: { 'zh-CN': '请先扫描周转箱，再放废物袋（{tag}）', en: 'Scan the turnover box first, then the bags ({tag})' },
  RECORD_NOT_FOUND: { 'zh-CN': '本站没有记录 #{seq}', en: 'This station has no record #{seq}' },
  NOT_CORRECTABLE: { 'zh-CN': '记录 #{seq}（{type}）不能更正', en: 'Record #{seq} ({type}) cannot be corrected' },
  CORRECTION_INVALID: { 'zh-CN': '更正无效（记录 #{seq}）：需填写原因；修改需给出新重量，或封袋记录的新类别 {reason}', en: 'The correction of record #{seq} is not valid: it needs a reason; an amendment a new weight, or a new category of a sealing {reason}' },
  SEALED: { 'zh-CN': '已封袋：{category}，{grams} 克（记录 #{seq}）', en: 'Sealed: {category}, {grams} g (record #{seq})' },
  COLLECTED: { 'zh-CN': '已交接收集：{count} 袋，{grams} 克（记录 #{seq}）', en: 'Collected: {count} bags, {grams} g (record #{seq})' },
  STORED: { 'zh-CN': '已入库：{count} 袋，{grams} 克（记录 #{seq}）', en: 'Stored: {count} bags, {grams} g (record #{seq})' },
  PICKED_UP: { 'zh-CN': '已出库转运：{count} 袋，{grams} 克（记录 #{seq}）', en: 'Picked up: {count} bags, {grams} g (record #{seq})' },
  RECEIVED: { 'zh-CN': '已接收：{count} 袋，{grams} 克（记录 #{seq}）', en: 'Received: {count} bags, {grams} g (record #{seq})' },
  DISPOSED: { 'zh-CN': '已处置：{count} 袋（记录 #{seq}）', en: 'Disposed: {count} bags (record #{seq})' },
  MANIFEST_SIGNED: { 'zh-CN': '转移联单 {manifest} 已签署：{step}（记录 #{seq}）', en: 'Transfer manifest {manifest} signed: {step} (record #{seq})' },

  BAG_ADDED: { 'zh-CN': '已读到废物袋 {tag}', en: 'Bag read: {tag}' },
  BAG_REMOVED: { 'zh-CN': '废物袋 {tag} 已移开，剩余 {count} 袋', en: 'Bag {tag} taken away; {count} left' },
  BADGE_ACCEPTED: { 'zh-CN': '{badge} 已确认', en: '{badge} confirmed' },
  DETAIL_SET: { 'zh-CN': '{field}：{value}', en: '{field}: {value}' },
  MODE_CHANGED: { 'zh-CN': '当前模式：{mode}', en: 'Mode: {mode}' },
  CATEGORY_FROM_LABEL: { 'zh-CN': '类别取自标签：{category}', en: 'Category from the label: {category}' },

  CANCELLED: { 'zh-CN': '已取消，未保存任何记录', en: 'Cancelled: nothing was recorded' },
  TIMEOUT: { 'zh-CN': '{seconds} 秒内无操作，已取消，未保存记录', en: 'Nothing happened for {seconds} s: cancelled, nothing was recorded' },
  WEIGHT_UNSTABLE: { 'zh-CN': '{seconds} 秒内重量未稳定，已取消。请放稳后重新开始', en: 'The weight did not settle within {seconds} s: cancelled. Keep the load still and start again' },
  WEIGHT_TOO_LOW: { 'zh-CN': '秤上重量不足 {minGrams} 克，已取消。请将废物放上秤后重新开始', en: 'Less than {minGrams} g on the scale: cancelled. Put the load on the scale and start again' },
  SCALE_OFFLINE: { 'zh-CN': '秤无读数，已取消。请检查秤的连接', en: 'No reading from the scale: cancelled. Check the scale cable' },
  UNKNOWN_BADGE: { 'zh-CN': '未登记的工牌 {badge}，不能确认。请使用本站登记的工牌', en: 'Badge {badge} is not registered here: use a registered badge' },
  BADGE_NOT_ALLOWED: { 'zh-CN': '{badge} 无权作为{role}确认', en: '{badge} may not confirm as {role}' },
  SAME_BADGE: { 'zh-CN': '同一工牌不能确认两次，交接需要双方各自刷卡', en: 'The same badge cannot confirm twice: each party taps their own badge' },
  ALREADY_SEALED: { 'zh-CN': '该袋已在本站封袋，不能重复封袋', en: 'This bag was already sealed at this station' },
  ALREADY_COLLECTED: { 'zh-CN': '该袋已在本站交接收集', en: 'This bag was already collected at this station' },
  ALREADY_STORED: { 'zh-CN': '该袋已在暂存间，不能重复入库', en: 'This bag is already in storage here' },
  ALREADY_PICKED_UP: { 'zh-CN': '该袋已出库转运', en: 'This bag was already picked up here' },
  ALREADY_RECEIVED: { 'zh-CN': '该袋已在本站接收', en: 'This bag was already received here' },
  ALREADY_DISPOSED: { 'zh-CN': '该袋已处置', en: 'This bag was already disposed of here' },
  TAG_LOST: { 'zh-CN': '废物袋 {tag} 已离开读卡区，已取消，未保存记录', en: 'Bag {tag} left the reader: cancelled, nothing was recorded' },
  TWO_BAGS: { 'zh-CN': '读到第二个废物袋，一次只能封一个袋。已取消，请逐袋操作', en: 'A second bag was read: seal one bag at a time. Cancelled' },
  TOO_MANY_BAGS: { 'zh-CN': '一次最多 {max} 袋', en: 'At most {max} bags at a time' },
  BAGS_CLOSED: { 'zh-CN': '已开始确认，不能再加袋；请另起一次交接', en: 'Confirmation has started: this bag goes into the next handover' },
  NOT_A_BAG_LABEL: { 'zh-CN': '不是有效的废物袋标签（{reason}）', en: 'Not a valid bag label ({reason})' },
  CATEGORY_MISMATCH: { 'zh-CN': '标签类别为{label}，不能改为{chosen}', en: 'The label says {label}: it cannot be recorded as {chosen}' },
  SCAN_BAG_FIRST: { 'zh-CN': '请先放置或扫描废物袋', en: 'Bring a bag first' },
  CATEGORY_FIRST: { 'zh-CN': '请先选择类别，再刷工牌', en: 'Choose the category before tapping a badge' },
  WEIGHT_FIRST: { 'zh-CN': '请等待重量稳定，再刷工牌', en: 'Wait for a steady weight before tapping a badge' },
  DETAILS_FIRST: { 'zh-CN': '请先填写车牌号、联单号等信息，再刷工牌', en: 'Enter the vehicle, manifest or batch before tapping a badge' },
  INVALID_DETAIL: { 'zh-CN': '{field} 格式不正确（1-64 个字母数字，不含空格）', en: '{field} is not valid (1-64 letters and digits, no spaces)' },
  NOT_IN_THIS_MODE: { 'zh-CN': '当前模式下不适用', en: 'Not used in this mode' },
  MANIFEST_INVALID: { 'zh-CN': '联单信息有误，未签署：{reason}', en: 'The manifest step is not valid and was not signed: {reason}' },
  FINISH_FIRST: { 'zh-CN': '请先完成或取消当前操作', en: 'Finish or cancel the current step first' },
  STORE_FAILED: { 'zh-CN': '记录保存失败，未记录：{reason}。请联系管理员', en: 'The record could not be saved, nothing was recorded: {reason}. Call the administrator' },
};

/** Names of parameter values (categories, modes, fields, slots, roles) in each language. */
export const TERMS: Readonly<Record<string, Text>> = {
  infectious: { 'zh-CN': '感染性', en: 'infectious' },
  sharps: { 'zh-CN': '损伤性', en: 'sharps' },
  pathological: { 'zh-CN': '病理性', en: 'pathological' },
  pharmaceutical: { 'zh-CN': '药物性', en: 'pharmaceutical' },
  chemical: { 'zh-CN': '化学性', en: 'chemical' },
  seal: { 'zh-CN': '封袋', en: 'seal' },
  collect: { 'zh-CN': '收集交接', en: 'collection' },
  'store-in': { 'zh-CN': '入库', en: 'store in' },
  'store-out': { 'zh-CN': '出库', en: 'store out' },
  pickup: { 'zh-CN': '转运接收', en: 'pickup' },
  receive: { 'zh-CN': '接收', en: 'receive' },
  dispose: { 'zh-CN': '处置', en: 'dispose' },
  pack: { 'zh-CN': '装箱', en: 'pack into box' },
  unpack: { 'zh-CN': '出箱', en: 'unpack from box' },
  void: { 'zh-CN': '作废', en: 'void' },
  amend: { 'zh-CN': '修改', en: 'amend' },
  aggregated: { 'zh-CN': '装箱/出箱', en: 'box packed/unpacked' },
  correction: { 'zh-CN': '更正', en: 'correction' },
  vehicle: { 'zh-CN': '车牌号', en: 'vehicle' },
  manifest: { 'zh-CN': '联单号', en: 'manifest' },
  method: { 'zh-CN': '处置方式', en: 'method' },
  batch: { 'zh-CN': '批次号', en: 'batch' },
  staff: { 'zh-CN': '科室人员', en: 'department staff' },
  giver: { 'zh-CN': '交出方', en: 'giver' },
  receiver: { 'zh-CN': '接收方', en: 'receiver' },
  keeper: { 'zh-CN': '暂存间管理员', en: 'storage keeper' },
  crew: { 'zh-CN': '转运人员', en: 'transport crew' },
  operator: { 'zh-CN': '处置操作员', en: 'disposal operator' },
  collector: { 'zh-CN': '收集人员', en: 'collector' },
  sealed: { 'zh-CN': '封袋', en: 'sealed' },
  collected: { 'zh-CN': '收集', en: 'collected' },
  stored: { 'zh-CN': '入库', en: 'stored' },
  'picked-up': { 'zh-CN': '转运', en: 'picked up' },
  received: { 'zh-CN': '接收', en: 'received' },
  disposed: { 'zh-CN': '处置', en: 'disposed' },
  heartbeat: { 'zh-CN': '心跳', en: 'heartbeat' },
  'manifest-issued': { 'zh-CN': '产生单位签发联单', en: 'issued by the producer' },
  'manifest-received': { 'zh-CN': '接收单位签收联单', en: 'received by the receiver' },
  'manifest-closed': { 'zh-CN': '联单办结', en: 'closed' },
  incineration: { 'zh-CN': '焚烧', en: 'incineration' },
  'steam-sterilisation': { 'zh-CN': '高温蒸汽', en: 'steam sterilisation' },
  'chemical-disinfection': { 'zh-CN': '化学消毒', en: 'chemical disinfection' },
  microwave: { 'zh-CN': '微波', en: 'microwave' },
  other: { 'zh-CN': '其他', en: 'other' },
};

/** Labels of the kiosk page itself. */
export const UI_TEXT: Readonly<Record<string, Text>> = {
  title: { 'zh-CN': '医疗废物称重站', en: 'Medical waste station' },
  nextStep: { 'zh-CN': '下一步', en: 'Next step' },
  weight: { 'zh-CN': '当前重量', en: 'Weight' },
  stable: { 'zh-CN': '稳定', en: 'steady' },
  unstable: { 'zh-CN': '不稳定', en: 'moving' },
  noReading: { 'zh-CN': '无读数', en: 'no reading' },
  backlog: { 'zh-CN': '待上传记录', en: 'Records waiting to upload' },
  connection: { 'zh-CN': '上传连接', en: 'Uplink' },
  connected: { 'zh-CN': '已连接', en: 'connected' },
  connecting: { 'zh-CN': '连接中', en: 'connecting' },
  offline: { 'zh-CN': '离线（记录已安全保存，联网后自动上传）', en: 'offline (records are kept safely and uploaded when back online)' },
  lastAck: { 'zh-CN': '服务器已确认至', en: 'Server has confirmed up to' },
  lastRecords: { 'zh-CN': '最近记录', en: 'Last records' },
  bags: { 'zh-CN': '废物袋', en: 'Bags' },
  category: { 'zh-CN': '类别', en: 'Category' },
  badges: { 'zh-CN': '已确认人员', en: 'Confirmed by' },
  cancel: { 'zh-CN': '取消', en: 'Cancel' },
  confirm: { 'zh-CN': '袋已齐', en: 'All bags in' },
  mode: { 'zh-CN': '模式', en: 'Mode' },
  set: { 'zh-CN': '确定', en: 'Set' },
  none: { 'zh-CN': '暂无', en: 'none yet' },
  device: { 'zh-CN': '设备', en: 'Device' },
  scaleDevice: { 'zh-CN': '秤', en: 'Scale' },
  readerDevice: { 'zh-CN': '读卡器', en: 'Reader' },
  online: { 'zh-CN': '正常', en: 'ok' },
  disconnected: { 'zh-CN': '未连接', en: 'not connected' },
  box: { 'zh-CN': '周转箱', en: 'Turnover box' },
  correct: { 'zh-CN': '更正记录', en: 'Correct a record' },
  correctRecord: { 'zh-CN': '记录号', en: 'Record #' },
  correctAction: { 'zh-CN': '操作', en: 'Action' },
  correctReason: { 'zh-CN': '原因', en: 'Reason' },
  correctKg: { 'zh-CN': '新重量 (kg)', en: 'New weight (kg)' },
  correctCategory: { 'zh-CN': '新类别（仅封袋记录）', en: 'New category (sealings only)' },
  correctSubmit: { 'zh-CN': '提交更正', en: 'Submit the correction' },
  unchanged: { 'zh-CN': '不变', en: 'unchanged' },
};

export function term(value: string | number, lang: Language): string {
  return typeof value === 'string' ? (TERMS[value]?.[lang] ?? value) : String(value);
}

export function renderMessage(code: MessageCode, params: MessageParams | undefined, lang: Language): string {
  const text = MESSAGES[code]?.[lang] ?? code;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (params && params[name] !== undefined ? term(params[name]!, lang) : m));
}

export function isLanguage(s: unknown): s is Language {
  return typeof s === 'string' && (LANGUAGES as readonly string[]).includes(s);
}
