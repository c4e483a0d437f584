import { describe, expect, it } from 'vitest';
import { NotificationSettingsBody, PaymentPolicyBody } from '../../../gateway/src/http/schemas.ts';
import { ALLOCATION_STRATEGIES } from '../allocation/strategy.ts';
import { FormFieldsSchema } from '../forms/definition.ts';
import { validateAnswers } from '../forms/validate.ts';
import { INDUSTRY_TEMPLATES, minuteOfDay, servicePolicy, summarize, templateByKey, TEMPLATE_KEYS } from './index.ts';
import type { IndustryTemplate, TemplateService } from './types.ts';

const CHINESE = /[\u4e00-\u9fa5]/;
const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Every resource unit with its full skill set (type skills + own). */
function units(template: IndustryTemplate) {
  return template.resourceTypes.flatMap((t) => t.units.map((u) => ({ kind: t.kind, capacity: t.capacity, skills: new Set([...t.skills, ...(u.skills ?? [])]) })));
}

/** Starts of the service inside one window of the weekly hours (its buffers included). */
function startsIn(service: TemplateService, open: number, close: number): number[] {
  const starts: number[] = [];
  for (let s = Math.ceil((open + service.bufferBeforeMinutes) / service.slotIntervalMinutes) * service.slotIntervalMinutes; s + service.durationMinutes + service.bufferAfterMinutes <= close; s += service.slotIntervalMinutes) {
    starts.push(s);
  }
  return starts;
}

describe('industry templates', () => {
  it('when listed, then there are at least 12 with unique keys, Chinese names and the industries of issue 3', () => {
    expect(INDUSTRY_TEMPLATES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(TEMPLATE_KEYS).size).toBe(TEMPLATE_KEYS.length);
    expect(TEMPLATE_KEYS).toEqual(
      expect.arrayContaining(['hair_salon', 'nail_spa', 'dental_clinic', 'physio_clinic', 'training_course', 'personal_training', 'yoga_studio', 'restaurant', 'photography_studio', 'car_service', 'pet_grooming', 'sports_court', 'ktv']),
    );
    for (const t of INDUSTRY_TEMPLATES) {
      expect(t.key).toMatch(/^[a-z][a-z0-9_]{1,39}$/);
      expect(templateByKey(t.key)).toBe(t);
      expect(t.name).toMatch(CHINESE);
      expect(t.description).toMatch(CHINESE);
      for (const s of t.services) expect(s.name).toMatch(CHINESE);
      for (const r of t.resourceTypes) {
        expect(r.label).toMatch(CHINESE);
        for (const u of r.units) expect(u.name.length).toBeGreaterThan(0);
      }
    }
    expect(templateByKey('no_such_template')).toBeUndefined();
  });

  describe.each(INDUSTRY_TEMPLATES.map((t) => [t.key, t] as const))('%s', (_key, template) => {
    it('when a service is booked, then every requirement can be met by some seeded resource, for the largest party', () => {
      const all = units(template);
      for (const service of template.services) {
        expect(service.requirements.length).toBeGreaterThan(0);
        for (const r of service.requirements) {
          const needed = r.perPerson ? r.quantity * service.maxPartySize : r.quantity;
          const fitting = all.filter((u) => u.kind === r.kind && (r.skill === null || u.skills.has(r.skill)) && u.capacity >= needed);
          expect(fitting.length, `${service.key}: ${r.kind}/${r.skill} × ${needed}`).toBeGreaterThan(0);
        }
      }
    });

    it('when planned on the grid, then durations, buffers and intervals align to the cell size and every service fits the opening hours on the slot grid', () => {
      expect([5, 15]).toContain(template.cellMinutes);
      expect(template.horizonDays).toBeGreaterThanOrEqual(1);
      expect(template.perCustomerDailyLimit).toBeGreaterThanOrEqual(1);
      for (const [weekday, open, close] of template.weeklyHours) {
        expect(weekday).toBeGreaterThanOrEqual(1);
        expect(weekday).toBeLessThanOrEqual(7);
        expect(open).toMatch(HHMM);
        expect(close).toMatch(HHMM);
        expect(minuteOfDay(open)).toBeLessThan(minuteOfDay(close));
        expect(minuteOfDay(open) % template.cellMinutes).toBe(0);
        expect(minuteOfDay(close) % template.cellMinutes).toBe(0);
      }
      for (const s of template.services) {
        for (const minutes of [s.durationMinutes, s.bufferBeforeMinutes, s.bufferAfterMinutes, s.slotIntervalMinutes]) expect(minutes % template.cellMinutes, s.key).toBe(0);
        expect(s.durationMinutes).toBeGreaterThan(0);
        expect(s.slotIntervalMinutes).toBeGreaterThan(0);
        expect(s.maxPartySize).toBeGreaterThanOrEqual(1);
        expect(s.minNoticeMinutes).toBeGreaterThanOrEqual(0);
        const starts = template.weeklyHours.flatMap(([, open, close]) => startsIn(s, minuteOfDay(open), minuteOfDay(close)));
        expect(starts.length, `${s.key} has no start inside the opening hours`).toBeGreaterThan(0);
      }
      for (const type of template.resourceTypes) {
        expect(type.units.length).toBeGreaterThan(0);
        expect(type.capacity).toBeGreaterThanOrEqual(1);
      }
    });

    it('when priced and charged, then prices are integer fen and each payment policy passes the merchant API’s own validation', () => {
      for (const s of template.services) {
        expect(Number.isInteger(s.priceFen), s.key).toBe(true);
        expect(s.priceFen).toBeGreaterThanOrEqual(0);
        const policy = servicePolicy(template, s);
        const parsed = PaymentPolicyBody.safeParse(policy);
        expect(parsed.success, `${s.key}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
        if (policy.mode !== 'none') expect(s.priceFen, `${s.key} charges online but is free`).toBeGreaterThan(0);
        if (policy.depositFixedFen !== null) expect(policy.depositFixedFen).toBeLessThanOrEqual(s.priceFen);
      }
    });

    it('when a form is defined, then it passes the form schema and its sample answers pass validateAnswers', () => {
      for (const s of template.services) {
        if (!s.form) {
          expect(s.sampleAnswers).toBeUndefined();
          continue;
        }
        const fields = FormFieldsSchema.safeParse(s.form);
        expect(fields.success, `${s.key}: ${JSON.stringify(fields.error?.issues)}`).toBe(true);
        const result = validateAnswers({ fields: fields.data! }, s.sampleAnswers ?? {}, { today: '2026-12-01' });
        expect(result, s.key).toMatchObject({ ok: true });
        const empty = validateAnswers({ fields: fields.data! }, {}, { today: '2026-12-01' });
        if (fields.data!.some((f) => f.required)) expect(empty.ok).toBe(false);
      }
    });

    it('when applied, then notification settings pass the merchant API’s validation and the allocation strategy exists', () => {
      const n = template.notifications;
      const parsed = NotificationSettingsBody.safeParse({ ...n, reminderOffsetsMinutes: [...n.reminderOffsetsMinutes] });
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(ALLOCATION_STRATEGIES).toContain(template.allocation);
      for (const t of template.resourceTypes) for (const u of t.units) if (u.allocation) expect(u.allocation.weight).toBeGreaterThanOrEqual(1);
      expect(summarize(template).services).toHaveLength(template.services.length);
    });
  });

  it('when a restaurant party books, then table mode seats it by party size (combinations and pacing: core/src/restaurant)', () => {
    const restaurant = templateByKey('restaurant')!;
    const dineIn = restaurant.services.find((x) => x.key === 'dine_in')!;
    expect(dineIn.requirements).toEqual([{ kind: 'room', skill: 'table', quantity: 1, perPerson: false }]);
    const tables = restaurant.tableMode!.tables;
    expect(Math.max(...tables.map((t) => t.maxSeats), ...restaurant.tableMode!.combinations.map((c) => c.maxSeats))).toBe(dineIn.maxPartySize);
    expect(restaurant.tableMode!.pacing?.maxCovers).toBe(restaurant.resourceTypes.find((t) => t.key === 'pacing')!.capacity);
    expect(restaurant.limitations?.join('')).toContain('拼桌');
  });
});
