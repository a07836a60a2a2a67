// Browser tests use the server's test harness, whose `inject()` keys are declared beside the global
// setup that provides them; bring that declaration into the web app's type check as well.
import type {} from '../../server/test/global-setup';
