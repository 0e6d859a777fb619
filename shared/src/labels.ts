// The words for the values of the shared vocabularies, in both languages: one table for the
// console, the phone, the replay and the printed report, so that a new value cannot be added
// without its words (each table is a Record over its vocabulary) and no page shows a raw code.
import type { ChatMessageKind } from './chat-protocol';
import type { InspectionKind, Role } from './domain';
import type { ChecklistResult, ConclusionOutcome } from './inspection-record';
import type { MediaSource } from './protocol';
import type { GapCause, RecordingStateName, UploadStateName } from './recording';
import type { SavingsEstimate, SavingsInputKey, SavingsProfileName } from './savings';

export interface Words {
  zh: string;
  en: string;
}
const w = (zh: string, en: string): Words => ({ zh, en });

export const KIND_LABELS: Readonly<Record<InspectionKind, Words>> = {
  periodic: w('定期检验', 'Periodic survey'),
  intermediate: w('中间检验', 'Intermediate survey'),
  initial: w('初次检验', 'Initial survey'),
  occasional: w('临时检验', 'Occasional survey'),
  'new-build': w('建造检验', 'New-build survey'),
};

export const RESULT_LABELS: Readonly<Record<ChecklistResult, Words>> = {
  pass: w('合格', 'Pass'),
  deficiency: w('缺陷', 'Deficiency'),
  'not-applicable': w('不适用', 'Not applicable'),
};

export const OUTCOME_LABELS: Readonly<Record<ConclusionOutcome, Words>> = {
  passed: w('合格', 'Passed'),
  'passed-with-deficiencies': w('合格（有缺陷，限期整改）', 'Passed with deficiencies'),
  failed: w('不合格', 'Failed'),
  'continue-on-site': w('需现场继续检验', 'To be continued on site'),
};

export const GAP_CAUSE_LABELS: Readonly<Record<GapCause, Words>> = {
  network: w('网络中断', 'connection lost'),
  rejoin: w('重新连接', 'reconnected'),
  'device-change': w('更换手机', 'phone changed'),
  'worker-restart': w('媒体服务重启', 'media server restarted'),
  'server-restart': w('服务器重启', 'server restarted'),
  'recorder-restart': w('录制进程重启', 'recorder restarted'),
  'disk-full': w('磁盘已满', 'disk full'),
  'layer-switch': w('分辨率切换', 'resolution change'),
  'recording-off': w('录像已关闭', 'recording switched off'),
  'source-stopped': w('摄像头或麦克风关闭', 'camera or microphone off'),
  'participant-left': w('参与者离开', 'participant away'),
  unexplained: w('原因不明', 'cause unknown'),
};

export const ROLE_LABELS: Readonly<Record<Role, Words>> = {
  admin: w('管理员', 'administrator'),
  surveyor: w('验船师', 'surveyor'),
  auditor: w('审核员', 'auditor'),
  crew: w('船员', 'crew'),
};

/** A chat message of the record (replay, report) by its kind. */
export const CHAT_KIND_LABELS: Readonly<Record<ChatMessageKind, Words>> = {
  text: w('消息', 'message'),
  'document-request': w('请求文件', 'document requested'),
  document: w('文件', 'document'),
};

export const SOURCE_LABELS: Readonly<Record<MediaSource, Words>> = {
  camera: w('摄像头', 'camera'),
  microphone: w('麦克风', 'microphone'),
};

/** A recording as the replay list names it. */
export const RECORDING_STATE_LABELS: Readonly<Record<RecordingStateName, Words>> = {
  live: w('录制中', 'recording'),
  stopped: w('已完成', 'complete'),
  interrupted: w('已中断', 'interrupted'),
};

export const UPLOAD_STATE_LABELS: Readonly<Record<UploadStateName, Words>> = {
  pending: w('等待上传', 'waiting to upload'),
  uploading: w('上传中', 'uploading'),
  uploaded: w('已上传', 'uploaded'),
  failed: w('上传失败，将重试', 'upload failed, will retry'),
};

export const SAVINGS_PROFILE_LABELS: Readonly<Record<SavingsProfileName, Words>> = {
  'published-calibrated': w('公布数据校准方案', 'Published figures (calibrated)'),
  economic: w('经济测算示例方案', 'Economic (example values)'),
};

/** How an estimate was reached; `{profile}` and `{model}` are filled in. */
export const SAVINGS_BASIS_LABELS: Readonly<Record<SavingsEstimate['basis'], Words>> = {
  computed: w('按公式计算（{profile}，模型 {model}）', 'computed ({profile}, model {model})'),
  'calibrated-average': w('估算值（公布数据的校准平均值）', 'estimated (calibrated average of the published figures)'),
};

/** The savings model's values, with their units. */
export const SAVINGS_INPUT_LABELS: Readonly<Record<SavingsInputKey, Words>> = {
  meKw: w('主机功率（kW）', 'Main engine power (kW)'),
  aeKw: w('辅机功率（kW）', 'Auxiliary engine power (kW)'),
  meLoad: w('主机负荷率', 'Main engine load factor'),
  aeLoad: w('辅机负荷率', 'Auxiliary engine load factor'),
  sfocMe: w('主机燃油消耗率（g/kWh）', 'Main engine fuel consumption (g/kWh)'),
  sfocAe: w('辅机燃油消耗率（g/kWh）', 'Auxiliary engine fuel consumption (g/kWh)'),
  cfFuel: w('燃油碳排放系数（t CO2/t）', 'Fuel carbon factor (t CO2/t)'),
  vesselDetourKm: w('避免的绕航里程，往返（km）', 'Avoided detour, round trip (km)'),
  vesselSpeedKmh: w('航速（km/h）', 'Vessel speed (km/h)'),
  vesselWaitH: w('避免的等待时间（h）', 'Avoided waiting (h)'),
  surveyorTripKm: w('验船师避免的出行，往返（km）', 'Surveyor trip avoided, round trip (km)'),
  carKgPerKm: w('汽车排放（kg CO2/km）', 'Car emissions (kg CO2/km)'),
  sessionHours: w('视频检验时长（h）', 'Session duration (h)'),
  videoKgPerH: w('视频传输排放（kg CO2/h）', 'Video streaming emissions (kg CO2/h)'),
  dieselCnyPerT: w('柴油价格（元/t）', 'Diesel price (CNY/t)'),
  vesselDayValueCny: w('船舶日价值（元/天）', 'Value of a ship-day (CNY/day)'),
  crewExtraCny: w('其他节约费用（元）', 'Other costs avoided (CNY)'),
};

/** Where a value the savings model used came from, when it was not a published source. */
export const SAVINGS_INPUT_SOURCE = w('本次检验填写', 'inspection input');

/** The words for how an estimate was reached, in one language. */
export function savingsBasisText(s: Pick<SavingsEstimate, 'basis' | 'profile' | 'modelVersion'>, lang: keyof Words): string {
  return SAVINGS_BASIS_LABELS[s.basis][lang]
    .replace('{profile}', SAVINGS_PROFILE_LABELS[s.profile][lang])
    .replace('{model}', s.modelVersion);
}
