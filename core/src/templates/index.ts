import { payAtStore, type PaymentPolicy } from '../payments/policy.ts';
import { INDUSTRY_TEMPLATES } from './industries.ts';
import type { IndustryTemplate, TemplatePayment, TemplateService } from './types.ts';

export type { IndustryTemplate, TemplateResourceType, TemplateService } from './types.ts';
export { INDUSTRY_TEMPLATES };

const byKey = new Map(INDUSTRY_TEMPLATES.map((t) => [t.key, t]));
export const TEMPLATE_KEYS = INDUSTRY_TEMPLATES.map((t) => t.key);

export function templateByKey(key: string): IndustryTemplate | undefined {
  return byKey.get(key);
}

/** A service's payment policy: pay at the store unless the service says otherwise, with the template's cancellation rules. */
export function servicePolicy(template: IndustryTemplate, service: TemplateService): PaymentPolicy {
  return { ...payAtStore, ...template.cancellation, ...service.payment };
}

/** 'HH:MM' → minute of the day ('24:00' = 1440). */
export function minuteOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** What the public template list shows: the template, its resources and its services (no forms' internals). */
export interface TemplateSummary {
  key: string;
  name: string;
  industry: string;
  description: string;
  allocation: string;
  resourceTypes: { key: string; kind: string; label: string; count: number; capacity: number }[];
  services: {
    key: string;
    name: string;
    durationMinutes: number;
    priceFen: number;
    maxPartySize: number;
    payment: TemplatePayment['mode'];
    hasForm: boolean;
  }[];
  limitations: readonly string[];
}

export function summarize(template: IndustryTemplate): TemplateSummary {
  return {
    key: template.key,
    name: template.name,
    industry: template.industry,
    description: template.description,
    allocation: template.allocation,
    resourceTypes: template.resourceTypes.map((t) => ({ key: t.key, kind: t.kind, label: t.label, count: t.units.length, capacity: t.capacity })),
    services: template.services.map((s) => ({
      key: s.key,
      name: s.name,
      durationMinutes: s.durationMinutes,
      priceFen: s.priceFen,
      maxPartySize: s.maxPartySize,
      payment: s.payment?.mode ?? 'none',
      hasForm: (s.form?.length ?? 0) > 0,
    })),
    limitations: template.limitations ?? [],
  };
}
