import type { PersonExportValue } from './people.schemas';

const SOURCE: Record<string, string> = {
  broker: 'bought from a data broker',
  members: "the party's member register",
  signup: 'people who signed up or consented',
  other: 'other',
};
const BASIS: Record<string, string> = {
  members: 'members and people in regular contact (Art. 9(2)(d))',
  consent: 'consent',
  'legitimate-interest': 'legitimate interest',
};

const day = (at: string | null) => (at === null ? '' : at.slice(0, 10));

function answerText(answer: boolean | string | string[]): string {
  if (typeof answer === 'boolean') return answer ? 'yes' : 'no';
  return Array.isArray(answer) ? answer.join(', ') : answer;
}

/** An access export (Art. 15) in plain words, for an operator at the command line. */
export function personExportText(record: PersonExportValue): string {
  const lines: string[] = [];
  const name = `${record.firstName} ${record.lastName}`.trim() || '(no name)';
  lines.push(`${name}, ${record.phone}${record.email ? `, ${record.email}` : ''}`, `Organisation: ${record.organisationName}. In Ringa since ${day(record.createdAt)}.`);
  const attributes = Object.entries(record.attributes);
  if (attributes.length > 0) lines.push(`Attributes: ${attributes.map(([key, value]) => `${key}: ${value}`).join('; ')}`);
  lines.push('', `Lists (${record.lists.length}):`);
  for (const list of record.lists) {
    const source =
      list.sourceKind === null
        ? 'source not recorded'
        : `source: ${SOURCE[list.sourceKind] ?? list.sourceKind}${list.sourceName ? ` (${list.sourceName}${list.sourceDate ? `, ${day(list.sourceDate)}` : ''})` : ''}; legal basis: ${list.legalBasis ? (BASIS[list.legalBasis] ?? list.legalBasis) : 'not recorded'}`;
    lines.push(`  ${list.name} (${list.organisationName}), imported ${day(list.importedAt)}; ${source}`);
  }
  lines.push('', `Campaigns (${record.campaigns.length}):`);
  for (const campaign of record.campaigns) {
    const deleted = campaign.answersDeleteAt ? `answers and notes deleted on ${day(campaign.answersDeleteAt)}` : `answers and notes deleted ${campaign.answersRetentionMonths} months after it finishes`;
    lines.push(`  ${campaign.name} (${campaign.organisationName}), ${campaign.status}; ${campaign.calls.length} call(s); ${deleted}`);
    for (const call of campaign.calls) {
      lines.push(`    ${call.at.slice(0, 16).replace('T', ' ')} UTC by ${call.callerName || 'a former caller'}: ${call.outcome.label || call.outcome.code}`);
      if (call.content === null) continue;
      for (const answer of call.content.answers) lines.push(`      ${answer.question}: ${answerText(answer.answer)}`);
      if (call.content.notes) lines.push(`      Notes: ${call.content.notes}`);
      if (call.content.noteForNext) lines.push(`      Note for the next caller: ${call.content.noteForNext}`);
      if (call.content.flagNote) lines.push(`      Flag: ${call.content.flagNote}`);
      if (call.content.callbackAt) lines.push(`      Call back: ${call.content.callbackAt}`);
    }
  }
  lines.push('', record.doNotCall.length === 0 ? 'Not on the do-not-call register.' : 'On the do-not-call register:');
  for (const entry of record.doNotCall) lines.push(`  ${entry.organisationName} since ${day(entry.since)}${entry.reason ? `: ${entry.reason}` : ''} (kept while the objection stands)`);
  if (record.telephonyCalls.length > 0) lines.push('', `Telephony records: ${record.telephonyCalls.length} call(s) placed through Ringa (deleted with the person).`);
  const retention = record.retention;
  lines.push(
    '',
    retention.deleteAt
      ? `The person is deleted on ${day(retention.deleteAt)} (${retention.months} months after the ${retention.after === 'last-campaign' ? 'last campaign that called them finished' : 'last import of a list they are on'}).`
      : `The person is kept while ${retention.because === 'running-campaign' ? 'a running campaign uses a list they are on' : 'a campaign that called them has not finished'}; then ${retention.months} months.`,
  );
  return lines.join('\n');
}
