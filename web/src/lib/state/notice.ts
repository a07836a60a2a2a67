// The first-contact notice's text rules, the server's own: the preview is filled as the server fills it
// for each person, and a placeholder it would refuse is shown before saving.
export { fillNotice, strayPlaceholder } from '../../../../server/src/modules/privacy/notice';
