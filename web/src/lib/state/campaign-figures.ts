// A campaign's calls so far, as its overview shows them: all calls, conversations, and the calls that
// count for each tag, which the goals are measured by.
import type { CampaignGoal, CampaignView } from '$contract/api';

/** Carried both by a campaign as read and by its live `campaign:stats` events. */
export type CallFigures = Pick<CampaignView, 'calls' | 'conversations' | 'tags'>;

/** Just the figures, from a campaign as read or a live event. */
export function figuresOf(source: CallFigures): CallFigures {
  return { calls: source.calls, conversations: source.conversations, tags: { ...source.tags } };
}

/** How far a goal has come: calls for a dials goal, conversations, or the calls counting for its tag. */
export function goalReached(goal: Pick<CampaignGoal, 'metric'>, figures: CallFigures): number {
  switch (goal.metric) {
    case 'dials':
      return figures.calls;
    case 'conversations':
      return figures.conversations;
    case 'recruits':
      return figures.tags.recruit;
    case 'volunteers':
      return figures.tags.volunteer;
    case 'events':
      return figures.tags.event;
    case 'supporters':
      return figures.tags.supporter;
  }
}
