// Campaigns in words, in the interface's language: periods, outcomes, and the server's refusals.
import type { CampaignOutcome, CampaignView } from '$contract/api';
import { ApiError } from '$lib/api/client';
import { i18n } from '$lib/i18n/index.svelte';
import { dateIn, lastDateBefore } from '$lib/zoned-date';
import { isBuiltIn } from './script-draft';

/** A day (YYYY-MM-DD) as people write it, "4 Oct 2026". */
export function formatDay(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(i18n.formatTag, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1)));
}

/** "4 Oct 2026 – 25 Oct 2026", the days in the organisation's time zone, the last one included. */
export function periodText(campaign: Pick<CampaignView, 'startsAt' | 'endsAt'>, timeZone: string): string {
  const t = i18n.t.campaigns;
  const from = campaign.startsAt ? formatDay(dateIn(campaign.startsAt, timeZone)) : null;
  const to = campaign.endsAt ? formatDay(lastDateBefore(campaign.endsAt, timeZone)) : null;
  if (from && to) return t.periodBetween(from, to);
  if (from) return t.periodFrom(from);
  if (to) return t.periodUntil(to);
  return t.noPeriod;
}

/** An outcome's name: the organizer's label, or the standard one in the interface's language. */
export function outcomeLabel(outcome: Pick<CampaignOutcome, 'code' | 'label'>): string {
  if (outcome.label.trim()) return outcome.label.trim();
  return isBuiltIn(outcome.code) ? i18n.t.campaigns.outcomes[outcome.code] : outcome.code;
}

const CAMPAIGN_ERRORS = [
  'invalid_outcomes',
  'invalid_questions',
  'invalid_period',
  'invalid_calling_window',
  'unknown_target_group',
  'invalid_status_change',
  'campaign_not_open',
  'unknown_team',
  'unknown_placeholder',
  'notice_empty',
] as const;
type CampaignErrorCode = (typeof CAMPAIGN_ERRORS)[number];

function isCampaignError(code: string): code is CampaignErrorCode {
  return (CAMPAIGN_ERRORS as readonly string[]).includes(code);
}

/**
 * A refusal in words. The server's messages name the question or outcome at fault, in English; in
 * English they are shown as they are, otherwise the code's translation.
 */
export function campaignError(error: unknown): string {
  if (error instanceof ApiError && isCampaignError(error.code)) {
    if (i18n.locale === 'en' && error.message) return error.message;
    return i18n.t.campaigns.errors[error.code];
  }
  return i18n.error(error);
}

/** The field of the settings form a refusal is about, to show it there. */
export function settingsFieldOf(error: unknown): 'period' | 'window' | 'dialMode' | 'targetGroupIds' | 'callerTeamIds' | 'maxAttempts' | 'retryHours' | 'goals' | 'name' | 'notice' | null {
  if (!(error instanceof ApiError)) return null;
  switch (error.code) {
    case 'invalid_period':
      return 'period';
    case 'invalid_calling_window':
      return 'window';
    case 'unknown_target_group':
      return 'targetGroupIds';
    case 'unknown_team':
      return 'callerTeamIds';
    case 'dial_mode_needs_browser_line':
      return 'dialMode';
    case 'unknown_placeholder':
    case 'notice_empty':
      return 'notice';
  }
  if (error.code === 'validation') {
    const field = /body\/(\w+)/.exec(error.message)?.[1];
    switch (field) {
      case 'startsAt':
      case 'endsAt':
        return 'period';
      case 'callingWindow':
        return 'window';
      case 'dialing':
      case 'dialMode':
      case 'linesPerCaller':
        return 'dialMode';
      case 'targetGroupIds':
      case 'callerTeamIds':
      case 'maxAttempts':
      case 'retryHours':
      case 'goals':
      case 'name':
      case 'notice':
        return field;
      default:
        return null;
    }
  }
  return null;
}
