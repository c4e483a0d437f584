/**
 * The industries the platform knows: the value of stores.industry, its Chinese label and an icon key
 * (a short ascii slug the mini program maps to an emoji or icon). The one place these labels live:
 * store lists, GET /v1/industries, recommendations and the industry templates all read them here.
 */
export const INDUSTRIES = [
  { code: 'hair_salon', label: '美发', icon: 'scissors' },
  { code: 'beauty', label: '美甲美容', icon: 'nail' },
  { code: 'dental', label: '口腔', icon: 'tooth' },
  { code: 'clinic', label: '门诊理疗', icon: 'clinic' },
  { code: 'education', label: '教育培训', icon: 'book' },
  { code: 'fitness', label: '健身私教', icon: 'dumbbell' },
  { code: 'fitness_class', label: '团课', icon: 'yoga' },
  { code: 'restaurant', label: '餐饮', icon: 'dining' },
  { code: 'photography', label: '摄影写真', icon: 'camera' },
  { code: 'car_service', label: '汽车服务', icon: 'car' },
  { code: 'pet_grooming', label: '宠物', icon: 'pet' },
  { code: 'sports_venue', label: '运动场馆', icon: 'court' },
  { code: 'ktv', label: 'KTV', icon: 'mic' },
] as const satisfies readonly Industry[];

export interface Industry {
  code: string;
  label: string;
  icon: string;
}

export type IndustryCode = (typeof INDUSTRIES)[number]['code'];

/** What a store of an industry the list does not know shows (stores.industry is free text in the database). */
export const OTHER_INDUSTRY = { label: '其他', icon: 'other' } as const;

const byCode = new Map<string, Industry>(INDUSTRIES.map((i) => [i.code, i]));

export function industryOf(code: string): Industry {
  return byCode.get(code) ?? { code, ...OTHER_INDUSTRY };
}

export function industryLabel(code: string): string {
  return industryOf(code).label;
}

/** Codes whose Chinese label contains the text (case-insensitive): how a search for 美发 finds hair salons. */
export function industriesMatching(text: string): string[] {
  const needle = text.toLowerCase();
  return INDUSTRIES.filter((i) => i.label.toLowerCase().includes(needle)).map((i) => i.code);
}
