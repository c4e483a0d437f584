import { createHash } from 'node:crypto';

export const REVIEW_TEXT_MAX_CHARS = 500;

// Bidi embeddings/overrides/isolates can make a review render as something else (or spoof the text after it).
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
// C0/C1 controls except newline; tabs become spaces so words they separated stay apart.
const CONTROLS = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;

/**
 * Review text as stored and shown: well-formed Unicode, no control or bidi
 * characters (newlines stay, at most one empty line in a row), trimmed.
 */
export function cleanReviewText(raw: string): string {
  return raw
    .toWellFormed()
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, (c) => (c === '\t' ? ' ' : ''))
    .replace(BIDI_CONTROLS, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Characters as MySQL's varchar(500) counts them (code points): an emoji is one, not two UTF-16 units. */
export function reviewTextLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Two digits that tell reviewers of one store apart ("顾客***12") without
 * revealing who they are: derived from the customer id by a hash, so the id
 * cannot be read back and 100 buckets say next to nothing about a customer.
 */
export function reviewerTag(customerId: number): string {
  const digest = createHash('sha256').update(`zhiyue-reviewer:${customerId}`).digest();
  return String(digest.readUInt16BE(0) % 100).padStart(2, '0');
}
