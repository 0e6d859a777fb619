// The seeded checklist for the periodic inspection of an inland vessel, in Chinese and English.
// Every inspection kind starts with it; admins replace any kind's template over REST
// (PUT /api/checklist-templates/:kind). Wording follows the usual sections of an inland-vessel
// survey report; an authority will adapt it to its own rules.
import type { ChecklistTemplateItem } from '@cloudship/shared';

type Section = [code: string, zh: string, en: string, items: Array<[code: string, zh: string, en: string]>];

const SECTIONS: Section[] = [
  [
    'hull',
    '船体及标志',
    'Hull and markings',
    [
      [
        'hull-condition',
        '船体外板无明显变形、破损、严重锈蚀',
        'Hull shell plating free of significant deformation, damage or heavy corrosion',
      ],
      [
        'hull-markings',
        '船名、船籍港、船舶识别号标志清晰正确',
        'Vessel name, port of registry and identification number clearly and correctly marked',
      ],
    ],
  ],
  [
    'load-line',
    '载重线',
    'Load line',
    [
      ['load-line-marks', '载重线标志及水尺标志清晰、位置正确', 'Load line mark and draught marks legible and correctly placed'],
      [
        'freeboard-closures',
        '干舷符合要求，水密及风雨密关闭装置有效',
        'Freeboard as required; watertight and weathertight closures effective',
      ],
    ],
  ],
  [
    'lifesaving',
    '救生设备',
    'Lifesaving appliances',
    [
      ['lifejackets', '救生衣数量足够、状况良好、存放易取', 'Lifejackets sufficient, in good condition and readily accessible'],
      ['lifebuoys', '救生圈及自亮浮灯、救生浮索完好', 'Lifebuoys with self-igniting lights and buoyant lines in good order'],
    ],
  ],
  [
    'fire',
    '消防设备',
    'Fire-fighting equipment',
    [
      [
        'extinguishers',
        '手提式灭火器在有效期内，数量和位置符合要求',
        'Portable extinguishers within their service date, in the required number and places',
      ],
      ['fire-pump', '消防泵、消火栓及水带工作正常', 'Fire pump, hydrants and hoses in working order'],
    ],
  ],
  [
    'engine',
    '机舱',
    'Engine room',
    [
      ['main-engine', '主机运转正常，无异常振动和渗漏', 'Main engines run normally, without abnormal vibration or leaks'],
      ['bilge', '舱底水系统及舱底泵有效', 'Bilge system and bilge pump effective'],
    ],
  ],
  [
    'steering',
    '舵设备',
    'Steering gear',
    [
      ['steering-operation', '舵机操纵灵活，舵角指示正确', 'Steering gear moves freely; rudder angle indicator correct'],
      ['emergency-steering', '应急操舵装置可用', 'Emergency steering available'],
    ],
  ],
  [
    'signals',
    '号灯、号型及声响信号',
    'Navigation lights and signals',
    [
      ['navigation-lights', '航行灯、锚灯齐全有效', 'Navigation and anchor lights complete and working'],
      ['shapes-sound', '号型及声响信号设备齐全有效', 'Day shapes and sound signalling equipment complete and working'],
    ],
  ],
  [
    'anchoring',
    '锚设备',
    'Anchoring',
    [
      ['anchors-chain', '锚、锚链及止链器状况良好', 'Anchors, chain cables and stoppers in good condition'],
      ['windlass', '起锚机工作正常', 'Windlass works normally'],
    ],
  ],
  [
    'pollution',
    '防污染设备',
    'Pollution-prevention equipment',
    [
      ['oily-water', '油污水储存柜或油水分离装置有效，记录完整', 'Oily bilge water holding tank or separator effective; records complete'],
      ['garbage-sewage', '垃圾收集及生活污水处理或储存设施有效', 'Garbage collection and sewage treatment or holding facilities effective'],
    ],
  ],
  [
    'documents',
    '证书与文书',
    'Certificates and documents',
    [
      ['certificates', '船舶检验证书、国籍证书等在有效期内', 'Survey certificate, certificate of nationality and others valid'],
      ['manning', '船员适任证书及最低安全配员符合要求', 'Crew certificates of competency and minimum safe manning as required'],
      ['logbooks', '航行日志、轮机日志记载规范', 'Deck and engine logbooks properly kept'],
    ],
  ],
];

export const DEFAULT_CHECKLIST: readonly ChecklistTemplateItem[] = Object.freeze(
  SECTIONS.flatMap(([, sectionZh, sectionEn, items]) =>
    items.map(([code, titleZh, titleEn]) => ({ code, sectionZh, sectionEn, titleZh, titleEn })),
  ),
);
