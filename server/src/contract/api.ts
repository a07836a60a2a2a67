// The HTTP API's payloads, as both the server and the web app see them. Types only: derived from
// the route schemas, so they cannot drift from what the server validates and answers.
import type { Static } from 'typebox';
import type * as Accounts from '../modules/accounts/accounts.schemas';
import type * as Audit from '../modules/audit/audit.schemas';
import type * as Calling from '../modules/calling/calling.schemas';
import type * as Campaigns from '../modules/campaigns/campaigns.schemas';
import type * as Invites from '../modules/invites/invites.schemas';
import type * as Lists from '../modules/lists/lists.schemas';
import type * as Organisations from '../modules/organisations/organisations.schemas';
import type * as Notice from '../modules/privacy/notice.schemas';
import type * as RecordOfProcessingSchemas from '../modules/privacy/record-of-processing.schemas';
import type * as People from '../modules/people/people.schemas';
import type * as Privacy from '../modules/privacy/privacy.schemas';
import type * as Stats from '../modules/stats/stats.schemas';
import type * as TargetGroups from '../modules/target-groups/target-groups.schemas';
import type * as Telephony from '../modules/telephony/telephony.schemas';
import type * as Shared from '../schemas';

export type Role = Static<typeof Shared.Role>;
export type Country = Static<typeof Shared.Country>;
export type ApiError = Static<typeof Shared.ErrorResponse>;

export type LoginRequest = Static<typeof Accounts.LoginBody>;
export type Me = Static<typeof Accounts.Me>;
export type MembershipView = Static<typeof Accounts.MembershipView>;
export type SetupStatus = Static<typeof Accounts.SetupStatus>;
export type SetupRequest = Static<typeof Accounts.SetupBody>;
export type AccountInput = Static<typeof Accounts.AccountInput>;
export type PasswordResetRequest = Static<typeof Accounts.PasswordResetBody>;
export type PasswordResetAccepted = Static<typeof Accounts.PasswordResetAccepted>;
export type PasswordResetConfirm = Static<typeof Accounts.PasswordResetConfirmBody>;
export type ResetLink = Static<typeof Accounts.ResetLink>;

export type OrganisationView = Static<typeof Organisations.OrganisationView>;
export type OrganisationList = Static<typeof Organisations.OrganisationList>;
export type CreateOrganisationRequest = Static<typeof Organisations.CreateOrganisationBody>;
export type MemberView = Static<typeof Organisations.MemberView>;
export type MemberList = Static<typeof Organisations.MemberList>;
export type ChangeRoleRequest = Static<typeof Organisations.ChangeRoleBody>;

export type InviteStatus = Static<typeof Invites.InviteStatus>;
export type InviteView = Static<typeof Invites.InviteView>;
export type InviteList = Static<typeof Invites.InviteList>;
export type CreateInviteRequest = Static<typeof Invites.CreateInviteBody>;
export type CreatedInvite = Static<typeof Invites.CreatedInvite>;
export type InvitePreview = Static<typeof Invites.InvitePreview>;
export type AcceptInviteRequest = Static<typeof Invites.AcceptInviteBody>;

export type AuditAction = Static<typeof Audit.AuditAction>;
export type AuditEventView = Static<typeof Audit.AuditEventView>;
export type AuditList = Static<typeof Audit.AuditList>;

export type ListView = Static<typeof Lists.ListView>;
export type ListList = Static<typeof Lists.ListList>;

export type DoNotCallEntry = Static<typeof Lists.DoNotCallEntry>;
export type DoNotCallList = Static<typeof Lists.DoNotCallList>;
export type DoNotCallSearch = Static<typeof Lists.DoNotCallSearch>;
export type AddDoNotCallRequest = Static<typeof Lists.AddDoNotCallBody>;
export type DoNotCallFileResult = Static<typeof Lists.DoNotCallFileResult>;

export type TargetGroupFilter = Static<typeof TargetGroups.Filter>;
export type TargetGroupInput = Static<typeof TargetGroups.TargetGroupInput>;
export type TargetGroupSizeRequest = Static<typeof TargetGroups.SizeRequest>;
export type TargetGroupSize = Static<typeof TargetGroups.SizeAnswer>;
export type TargetGroupView = Static<typeof TargetGroups.TargetGroupView>;
export type TargetGroupList = Static<typeof TargetGroups.TargetGroupList>;
export type AttributeSummary = Static<typeof TargetGroups.AttributeSummary>;

export type ListStatus = Static<typeof Lists.ListStatus>;
export type ListCounts = Static<typeof Lists.ListCounts>;
export type ListField = Static<typeof Lists.Field>;
export type MappedColumn = Static<typeof Lists.MappedColumn>;
export type CreatedList = Static<typeof Lists.CreatedList>;
export type ListSource = Static<typeof Lists.ListSource>;
export type ListSourceKind = Static<typeof Lists.SourceKind>;
export type LegalBasis = Static<typeof Lists.LegalBasis>;
export type ListSourceRequest = Static<typeof Lists.ListSourceBody>;
export type ListPreview = Static<typeof Lists.ListPreview>;

export type CampaignStatus = Static<typeof Campaigns.CampaignStatus>;
export type CampaignDialing = Static<typeof Campaigns.Dialing>;
export type CampaignDialMode = Static<typeof Campaigns.DialMode>;
export type CallingWindow = Static<typeof Campaigns.CallingWindow>;
export type CampaignOutcome = Static<typeof Campaigns.Outcome>;
export type CampaignQuestion = Static<typeof Campaigns.Question>;
export type CampaignGoal = Static<typeof Campaigns.Goal>;
export type QueueFigures = Static<typeof Campaigns.QueueFigures>;
export type TagFigures = Static<typeof Campaigns.TagFigures>;
export type CampaignView = Static<typeof Campaigns.CampaignView>;
export type CampaignList = Static<typeof Campaigns.CampaignList>;
export type CampaignInput = Static<typeof Campaigns.CampaignInput>;
export type CampaignSettings = Static<typeof Campaigns.CampaignSettings>;
export type CampaignScriptInput = Static<typeof Campaigns.ScriptInput>;
export type CampaignStatusChange = Static<typeof Campaigns.StatusChange>;

export type CallableCampaign = Static<typeof Calling.CallableCampaign>;
export type CallableCampaignList = Static<typeof Calling.CallableCampaignList>;
export type FlaggedCall = Static<typeof Calling.FlaggedCall>;
export type FlagList = Static<typeof Calling.FlagList>;
export type FlagResolved = Static<typeof Calling.FlagResolved>;

export type TelephonyCallStatus = Static<typeof Telephony.CallStatus>;
export type TelephonyTokenRequest = Static<typeof Telephony.TokenRequest>;
export type TelephonyToken = Static<typeof Telephony.TokenAnswer>;
export type SimulatedCallRequest = Static<typeof Telephony.SimulatedCallRequest>;
export type SimulatedCall = Static<typeof Telephony.SimulatedCallAnswer>;
export type SimulatedHangupRequest = Static<typeof Telephony.SimulatedHangupRequest>;
export type SimulatedHangup = Static<typeof Telephony.SimulatedHangupAnswer>;
export type TelephonySettingsView = Static<typeof Telephony.TelephonySettingsView>;
export type TelephonySettingsInput = Static<typeof Telephony.TelephonySettingsInput>;

export type OrganisationStats = Static<typeof Stats.OrganisationStats>;
export type StatsFigures = Static<typeof Stats.Figures>;
export type GoalMetric = Static<typeof Stats.GoalMetric>;
export type GoalProgress = Static<typeof Stats.GoalProgress>;
export type GoalInput = Static<typeof Stats.GoalInput>;
export type GoalList = Static<typeof Stats.GoalList>;
export type CampaignStats = Static<typeof Stats.CampaignStats>;
export type CampaignWelcome = Static<typeof Stats.CampaignWelcome>;
export type OrganisationWelcome = Static<typeof Stats.OrganisationWelcome>;

export type OrganisationNotice = Static<typeof Notice.OrganisationNotice>;
export type NoticeInput = Static<typeof Notice.NoticeInput>;
export type NoticeFigures = Static<typeof Notice.NoticeFigures>;
export type NoticeSourceKind = Static<typeof Notice.NoticeSourceKind>;
/** An organisation's record of processing (GDPR Art. 30). */
export type RecordOfProcessing = Static<typeof RecordOfProcessingSchemas.RecordOfProcessing>;
export type PersonSearchRequest = Static<typeof People.PersonSearchBody>;
export type PersonHit = Static<typeof People.PersonHit>;
export type PersonSearchResult = Static<typeof People.PersonSearchResult>;
export type PersonPage = Static<typeof People.PersonPage>;
export type PersonCorrection = Static<typeof People.PersonCorrection>;
export type PersonDoNotCallRequest = Static<typeof People.PersonDoNotCallBody>;
export type PersonExport = Static<typeof People.PersonExport>;
export type PersonCampaign = Static<typeof People.PersonCampaign>;
export type PersonCall = Static<typeof People.PersonCall>;
export type PersonList = Static<typeof People.PersonList>;
export type EraseRequest = Static<typeof Privacy.EraseBody>;
export type Erased = Static<typeof Privacy.Erased>;
export type RetentionView = Static<typeof Privacy.RetentionView>;
export type RetentionInput = Static<typeof Privacy.RetentionInput>;
