// Browser tests in Firefox (Debian's firefox-esr): the viewer page against the real server.

import {defineViewerTests} from './viewer-cases.mjs';

defineViewerTests('firefox');
