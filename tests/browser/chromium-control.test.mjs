// Remote control from the viewer page in Chromium (Debian's chromium).

import {defineControlTests} from './control-cases.mjs';

defineControlTests('chromium');
