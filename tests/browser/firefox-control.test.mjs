// Remote control from the viewer page in Firefox (Debian's firefox-esr).

import {defineControlTests} from './control-cases.mjs';

defineControlTests('firefox');
