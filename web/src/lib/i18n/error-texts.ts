// What every error code Ringa answers with means, in every language the web app speaks: one closed
// list (server/src/contract/errors.ts) and one text per code and language. A code without a text in
// any language fails the typecheck.
import type { ErrorCode } from '$contract/errors';
import type { Language } from '$contract/language';

const sv: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Du har blivit utloggad. Logga in igen.',
  invalid_credentials: 'Fel e-postadress eller lösenord.',
  rate_limited: 'För många misslyckade försök. Vänta en stund och försök igen.',
  setup_token_invalid: 'Installationslänken är fel eller har gått ut. Kontrollera att du öppnade hela länken som servern skrev ut.',
  setup_done: 'Ringa är redan igång. Logga in i stället.',
  weak_password: 'Lösenordet är för lätt att gissa. Välj ett längre, till exempel några ord som inte hör ihop.',
  invite_not_found: 'Inbjudningslänken är inte giltig. Kontrollera att du öppnade hela länken.',
  invite_expired: 'Inbjudan har gått ut. Be den som bjöd in dig om en ny länk.',
  invite_used_up: 'Inbjudan är redan använd. Be den som bjöd in dig om en ny länk.',
  invite_revoked: 'Inbjudan har återkallats. Be den som bjöd in dig om en ny länk.',
  email_taken: 'Det finns redan ett konto med den här e-postadressen. Logga in först och öppna sedan inbjudningslänken igen.',
  already_member: 'Du är redan medlem i den här organisationen.',
  forbidden: 'Din roll tillåter inte det här.',
  not_found: 'Det hittades inte. Det kan ha tagits bort.',
  origin_mismatch: 'Ringa måste öppnas på sin egen adress för att du ska kunna ändra något. Öppna länken du fick av din organisatör och försök igen.',
  origin_required: 'Ändringen kunde inte kontrolleras som kommande från Ringa. Ladda om sidan och försök igen.',
  organisation_exists: 'Det finns redan en organisation med det namnet här.',
  last_admin: 'Det här är den sista administratören för toppnivån. Gör någon annan till administratör först.',
  own_membership: 'Du kan inte ändra eller ta bort ditt eget medlemskap. Be en annan organisatör eller administratör.',
  own_account: 'Du kan inte inaktivera ditt eget konto.',
  invalid_time_zone: 'Det är ingen tidszon. Skriv till exempel Europe/Stockholm.',
  validation: 'En del av det du fyllde i är inte giltigt. Kontrollera fälten och försök igen.',
  body_too_large: 'Det du skickade är för stort.',
  invalid_payload: 'Texten innehåller ett tecken som inte kan sparas (ofta från kopiera och klistra in). Skriv om den och försök igen.',
  internal: 'Något gick fel hos oss. Försök igen om en stund.',
  unknown_merge_field: 'Manuset använder ett fält inom klammerparentes som Ringa inte kan fylla i, till exempel {förnamn}. Använd {first_name}, {last_name}, {caller_name} eller {attr:Namn} för en uppgift som visas för ringarna.',
};

const da: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Du er blevet logget ud. Log ind igen.',
  invalid_credentials: 'Forkert e-mailadresse eller adgangskode.',
  rate_limited: 'For mange mislykkede forsøg. Vent lidt, og prøv igen.',
  setup_token_invalid: 'Opsætningslinket er forkert eller udløbet. Tjek, at du åbnede hele det link, serveren skrev ud.',
  setup_done: 'Ringa er allerede sat op. Log ind i stedet.',
  weak_password: 'Adgangskoden er for let at gætte. Vælg en længere, for eksempel nogle ord, der ikke hænger sammen.',
  invite_not_found: 'Invitationslinket er ikke gyldigt. Tjek, at du åbnede hele linket.',
  invite_expired: 'Invitationen er udløbet. Bed den, der inviterede dig, om et nyt link.',
  invite_used_up: 'Invitationen er allerede brugt. Bed den, der inviterede dig, om et nyt link.',
  invite_revoked: 'Invitationen er trukket tilbage. Bed den, der inviterede dig, om et nyt link.',
  email_taken: 'Der findes allerede en konto med denne e-mailadresse. Log ind først, og åbn så invitationslinket igen.',
  already_member: 'Du er allerede medlem af denne organisation.',
  forbidden: 'Din rolle giver ikke lov til dette.',
  not_found: 'Det blev ikke fundet. Det kan være slettet.',
  origin_mismatch: 'Ringa skal åbnes på sin egen adresse, før du kan ændre noget. Åbn linket fra din organisator, og prøv igen.',
  origin_required: 'Ændringen kunne ikke kontrolleres som kommende fra Ringa. Genindlæs siden, og prøv igen.',
  organisation_exists: 'Der findes allerede en organisation med det navn her.',
  last_admin: 'Dette er den sidste administrator for topniveauet. Gør en anden til administrator først.',
  own_membership: 'Du kan ikke ændre eller fjerne dit eget medlemskab. Spørg en anden organisator eller administrator.',
  own_account: 'Du kan ikke deaktivere din egen konto.',
  invalid_time_zone: 'Det er ikke en tidszone. Skriv for eksempel Europe/Copenhagen.',
  validation: 'Noget af det, du har udfyldt, er ikke gyldigt. Tjek felterne, og prøv igen.',
  body_too_large: 'Det, du sendte, er for stort.',
  invalid_payload: 'Teksten indeholder et tegn, der ikke kan gemmes (ofte fra kopier og indsæt). Skriv den igen, og prøv igen.',
  internal: 'Noget gik galt hos os. Prøv igen om lidt.',
  unknown_merge_field: 'Samtaleguiden bruger et felt i tuborgparentes, som Ringa ikke kan udfylde, for eksempel {fornavn}. Brug {first_name}, {last_name}, {caller_name} eller {attr:Navn} for en oplysning, som ringerne får vist.',
};

const en: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Your session has ended. Sign in again.',
  invalid_credentials: 'The email address or password is wrong.',
  rate_limited: 'Too many failed attempts. Wait a while and try again.',
  setup_token_invalid: 'This setup link is wrong or has expired. Check that you opened the whole link the server printed.',
  setup_done: 'Ringa is already set up. Sign in instead.',
  weak_password: 'This password is too easy to guess. Choose a longer one, for example a few unrelated words.',
  invite_not_found: 'This invitation link is not valid. Check that you opened the whole link.',
  invite_expired: 'This invitation has expired. Ask the person who invited you for a new link.',
  invite_used_up: 'This invitation has already been used. Ask the person who invited you for a new link.',
  invite_revoked: 'This invitation has been withdrawn. Ask the person who invited you for a new link.',
  email_taken: 'This email address already has an account. Sign in first, then open the invitation link again.',
  already_member: 'You are already a member of this organisation.',
  forbidden: 'Your role does not allow this.',
  not_found: 'It was not found. It may have been removed.',
  origin_mismatch: 'Ringa must be opened at its own address to make changes. Open it from the link your organizer sent, and try again.',
  origin_required: 'This change could not be checked as coming from Ringa. Reload the page and try again.',
  organisation_exists: 'There is already an organisation with that name here.',
  last_admin: 'This is the last admin of the top organisation. Make someone else admin first.',
  own_membership: 'You cannot change or remove your own membership. Ask another organizer or admin.',
  own_account: 'You cannot disable your own account.',
  invalid_time_zone: 'That is not a time zone. Use a name like Europe/Stockholm.',
  validation: 'Some of what you entered is not valid. Check the fields and try again.',
  body_too_large: 'What you sent is too large.',
  invalid_payload: 'Some text contains a character that cannot be saved (often from copying and pasting). Retype it and try again.',
  internal: 'Something went wrong on our side. Try again in a moment.',
  unknown_merge_field: 'The script uses a field in braces that Ringa cannot fill in, such as {firstname}. Use {first_name}, {last_name}, {caller_name}, or {attr:Name} for a detail shown to callers.',
};

// TODO(issue 14): Norwegian, and every code, then `Record<ErrorCode, string>`.
const nb: Partial<Record<ErrorCode, string>> = {
  unknown_merge_field: 'Manuset bruker et felt i krøllparentes som Ringa ikke kan fylle ut, for eksempel {fornavn}. Bruk {first_name}, {last_name}, {caller_name} eller {attr:Navn} for en opplysning som vises for ringerne.',
};

export const errorTexts: Record<Language, Partial<Record<ErrorCode, string>>> = { sv, da, nb, en };
