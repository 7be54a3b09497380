// Browser tests in Chromium (Debian's chromium): the viewer page against the real server.

import {defineViewerTests} from './viewer-cases.mjs';

defineViewerTests('chromium');
