'use strict';
/**
 * Mifumo sandbox: an in-memory, Mifumo-compatible HTTP server (plain CommonJS, node:http only).
 * API under /api/integration/v1, test control plane under /__sandbox/. See README.md.
 */
const { API_PREFIX, CONTROL_PREFIX, DEFAULT_API_KEYS, DEFAULT_SENDER_IDS, defaultConfig } = require('./config');
const { Sandbox, startSandbox } = require('./server');
const { countSegments } = require('./sms-encoding');

module.exports = { startSandbox, Sandbox, DEFAULT_API_KEYS, DEFAULT_SENDER_IDS, API_PREFIX, CONTROL_PREFIX, defaultConfig, countSegments };
