import { z } from 'zod';
import { FormFieldsSchema } from '../../../core/src/forms/definition.ts';

/** Request and response shapes of the booking-form routes (in the OpenAPI document). */

export const BookingFormBody = z.object({ fields: FormFieldsSchema }).strict().meta({ id: 'BookingFormInput' });

export const BookingFormSchema = z
  .object({
    serviceId: z.number(),
    version: z.number().meta({ description: '0 = the service has never had a form' }),
    fields: FormFieldsSchema,
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'BookingForm' });

export const StoreServiceParams = z.object({
  id: z.coerce.number().int().positive().max(2 ** 53 - 1),
  serviceId: z.coerce.number().int().positive().max(2 ** 53 - 1),
});

export const AnswerViewSchema = z
  .object({
    key: z.string(),
    label: z.string(),
    type: z.enum(['text', 'phone', 'choice', 'date', 'number', 'consent', 'file']),
    value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]),
    display: z.string().meta({ description: 'As a person reads it: option labels, 已同意; phones masked for staff' }),
  })
  .meta({ id: 'BookingAnswer' });
