import type { BuiltinDetectorId } from '../types.js';
import type { DetectorDefinition } from './definition.js';
import { paymentCard } from './payment-card.js';
import { ukNhs } from './uk-nhs.js';
import { usHicn } from './us-hicn.js';
import { usMbi } from './us-mbi.js';
import { usNpi } from './us-npi.js';
import { usSsn } from './us-ssn.js';

/** The built-in detectors, in the order their shapes are tried at one position. */
export const BUILTIN_DETECTORS: ReadonlyMap<BuiltinDetectorId, DetectorDefinition> = new Map<BuiltinDetectorId, DetectorDefinition>([
  ['us_hicn', usHicn],
  ['us_ssn', usSsn],
  ['payment_card', paymentCard],
  ['us_mbi', usMbi],
  ['us_npi', usNpi],
  ['uk_nhs', ukNhs],
]);

/** Whether `id` names a built-in detector. */
export function isBuiltinId(id: string): id is BuiltinDetectorId {
  return BUILTIN_DETECTORS.has(id as BuiltinDetectorId);
}

export type { DetectorDefinition } from './definition.js';
