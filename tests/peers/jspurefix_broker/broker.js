#!/usr/bin/env node
// A FIX broker (initiator) on the jspurefix engine (npm, installed by
// install.sh into a build folder), used as a test peer that nobody on this
// project wrote. It connects to 127.0.0.1:PORT, logs on, runs a JSON
// scenario of send / expect / sleep / logout steps and prints every message
// as one JSON line on stdout, keyed by tag number.
//
//   node broker.js --modules DIR --port N --sender BRK --target GW \
//        --scenario FILE [--begin FIX.4.4|FIX.4.2] [--username U] [--password P]
//        [--reset Y|N] [--heartbeat 30] [--timeout-ms 60000]
//        [--logon-timeout-ms 10000] [--dict PATH] [--udf 9001,9002]
//        [--body-length-chars 7] [--print-admin] [--log FILE] [--verbose]
//
// Exit: 0 all steps passed, 1 an expect failed / global timeout / send failed,
// 2 connection, logon or session failure (refused, rejected, dropped),
// 3 bad arguments or scenario file. See ../README.md.
'use strict'

const fs = require('fs')
const os = require('os')
const path = require('path')
const { createRequire } = require('module')

const EXIT_OK = 0
const EXIT_EXPECT = 1
const EXIT_SESSION = 2
const EXIT_USAGE = 3
const SOH = '\x01'
const ADMIN = new Set(['0', '1', '2', '3', '4', '5', 'A'])

function usage (msg) {
  process.stderr.write(`broker.js: ${msg}\n` +
    'usage: node broker.js --modules DIR --port N --sender ID --target ID --scenario FILE\n' +
    '       [--begin FIX.4.4|FIX.4.2] [--username U] [--password P] [--reset Y|N]\n' +
    '       [--heartbeat S] [--timeout-ms MS] [--logon-timeout-ms MS] [--dict PATH]\n' +
    '       [--udf TAG,TAG] [--body-length-chars N] [--print-admin] [--log FILE] [--verbose]\n')
  process.exit(EXIT_USAGE)
}

function parseArgs (argv) {
  const o = {
    modules: process.env.JSPUREFIX_MODULES || null,
    host: '127.0.0.1',
    port: 0,
    sender: null,
    target: null,
    scenario: null,
    begin: 'FIX.4.4',
    username: null,
    password: null,
    reset: true,
    heartbeat: 30,
    timeoutMs: 60000,
    logonTimeoutMs: 10000,
    dict: null,
    udf: [],
    bodyLengthChars: null,
    printAdmin: false,
    log: null,
    verbose: false
  }
  const flags = new Set(['--print-admin', '--verbose'])
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]
    if (a === '-h' || a === '--help') usage('help')
    let key = a
    let val = null
    const eq = a.indexOf('=')
    if (a.startsWith('--') && eq > 0) { key = a.slice(0, eq); val = a.slice(eq + 1) }
    if (flags.has(key)) {
      if (key === '--print-admin') o.printAdmin = true
      if (key === '--verbose') o.verbose = true
      continue
    }
    if (val === null) {
      if (i + 1 >= argv.length) usage(`${key} needs a value`)
      val = argv[++i]
    }
    switch (key) {
      case '--modules': o.modules = val; break
      case '--port': o.port = Number(val); break
      case '--sender': o.sender = val; break
      case '--target': o.target = val; break
      case '--scenario': o.scenario = val; break
      case '--begin': o.begin = val; break
      case '--username': o.username = val; break
      case '--password': o.password = val; break
      case '--reset': o.reset = /^(y|yes|true|1)$/i.test(val); break
      case '--heartbeat': o.heartbeat = Number(val); break
      case '--timeout-ms': o.timeoutMs = Number(val); break
      case '--logon-timeout-ms': o.logonTimeoutMs = Number(val); break
      case '--dict': o.dict = val; break
      case '--udf': o.udf.push(...val.split(',').filter(Boolean)); break
      case '--body-length-chars': o.bodyLengthChars = Number(val); break
      case '--log': o.log = val; break
      default: usage(`unknown option ${key}`)
    }
  }
  if (!o.modules) usage('--modules DIR (the folder install.sh installed into) is required')
  if (!(o.port > 0 && o.port < 65536)) usage('--port is required')
  if (!o.sender || !o.target) usage('--sender and --target are required')
  if (!o.scenario) usage('--scenario is required')
  if (!['FIX.4.4', 'FIX.4.2'].includes(o.begin) && !o.dict) usage('--begin must be FIX.4.4 or FIX.4.2 (or give --dict)')
  if (!(o.timeoutMs > 0) || !(o.logonTimeoutMs > 0) || !(o.heartbeat > 0)) usage('timeouts and heartbeat must be > 0')
  return o
}

const opts = parseArgs(process.argv)

// ---------------------------------------------------------------- logging
let logStream = null
if (opts.log) logStream = fs.createWriteStream(opts.log, { flags: 'a' })
function diag (level, msg) {
  const line = `${new Date().toISOString()} ${level} ${msg}\n`
  if (logStream) logStream.write(line)
  if (opts.verbose || level === 'ERROR' || level === 'FAIL') process.stderr.write(line)
}
function makeLogger (type) {
  return {
    info: (m) => { if (opts.verbose || logStream) diag('info', `[${type}] ${m}`) },
    debug: () => {},
    warning: (m) => diag('warn', `[${type}] ${m}`),
    error: (e) => diag('warn', `[${type}] ${e && e.message ? e.message : e}`)
  }
}
const logFactory = { logger: (type) => makeLogger(type), plain: (name) => makeLogger(name) }

function out (obj) { process.stdout.write(JSON.stringify(obj) + '\n') }
// A reader that closed our stdout (e.g. `| head`) must not crash the run.
process.stdout.on('error', (e) => { if (e.code !== 'EPIPE') throw e })
function scenarioError (msg) { return Object.assign(new Error(msg), { exit: EXIT_USAGE }) }

// ---------------------------------------------------------------- scenario
let scenario
try {
  scenario = JSON.parse(fs.readFileSync(opts.scenario, 'utf8'))
} catch (e) {
  usage(`cannot read scenario ${opts.scenario}: ${e.message}`)
}
const steps = Array.isArray(scenario) ? scenario : scenario && scenario.steps
if (!Array.isArray(steps)) usage('scenario must be a JSON array of steps (or {"steps": [...]})')

// ---------------------------------------------------------------- jspurefix
const req = createRequire(path.join(path.resolve(opts.modules), 'package.json'))
let jsp
try {
  req('reflect-metadata')
  jsp = req('jspurefix')
} catch (e) {
  process.stderr.write(`broker.js: cannot load jspurefix from ${opts.modules} (run install.sh DIR): ${e.message}\n`)
  process.exit(EXIT_USAGE)
}
const jspRoot = path.dirname(req.resolve('jspurefix/package.json'))

// The dictionary: jspurefix's own QuickFIX-format one for the version,
// copied with user-defined fields added for every numeric tag the scenario
// (or --udf) names that the dictionary lacks, and with Username/Password on
// the Logon where the version has none (FIX.4.2).
function collectNumericKeys (fields, acc) {
  if (!fields || typeof fields !== 'object') return
  for (const [k, v] of Object.entries(fields)) {
    if (/^\d+$/.test(k)) acc.add(k)
    if (Array.isArray(v)) v.forEach(inst => collectNumericKeys(inst, acc))
  }
}
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jspurefix-broker-'))
function cleanupTmp () { try { fs.rmSync(tmpDir, { recursive: true, force: true }) } catch (_) {} }

function prepareDictionary () {
  let base = opts.dict
  if (!base) base = path.join(jspRoot, 'data', opts.begin === 'FIX.4.2' ? 'FIX42.xml' : 'FIX44.xml')
  let xml = fs.readFileSync(base, 'utf8')
  const known = new Map() // tag -> name
  const nameRe = /<field\s+number=['"](\d+)['"]\s+name=['"]([^'"]+)['"]/g
  let m
  while ((m = nameRe.exec(xml)) !== null) known.set(m[1], m[2])
  const tags = new Set(opts.udf)
  for (const s of steps) if (s && s.fields) collectNumericKeys(s.fields, tags)
  const fieldDefs = []
  const msgFields = []
  for (const t of tags) {
    if (known.has(t)) continue
    const name = `UDF${t}`
    known.set(t, name)
    fieldDefs.push(`  <field number='${t}' name='${name}' type='STRING' />`)
    msgFields.push(`   <field name='${name}' required='N' />`)
  }
  const logonMatch = /<message name='Logon' msgtype='A'[^>]*>([\s\S]*?)<\/message>/.exec(xml)
  const logonExtra = []
  for (const [tag, name] of [['553', 'Username'], ['554', 'Password']]) {
    if (!known.has(tag)) {
      known.set(tag, name)
      fieldDefs.push(`  <field number='${tag}' name='${name}' type='STRING' />`)
    }
    if (logonMatch && !new RegExp(`name='${known.get(tag)}'`).test(logonMatch[1])) {
      logonExtra.push(`   <field name='${known.get(tag)}' required='N' />`)
    }
  }
  if (fieldDefs.length) xml = xml.replace(/<\/fields>/, fieldDefs.join('\n') + '\n </fields>')
  if (logonExtra.length) {
    xml = xml.replace(/(<message name='Logon' msgtype='A'[^>]*>[\s\S]*?)(\s*<\/message>)/, (all, a, b) => a + '\n' + logonExtra.join('\n') + b)
  }
  if (msgFields.length) {
    // Into every message (top level), so they encode and decode anywhere.
    const msgsStart = xml.indexOf('<messages>')
    const msgsEnd = xml.indexOf('</messages>')
    if (msgsStart >= 0 && msgsEnd > msgsStart) {
      const body = xml.slice(msgsStart, msgsEnd).replace(/\n(\s*)<\/message>/g, (all, ind) => '\n' + msgFields.join('\n') + '\n' + ind + '</message>')
      xml = xml.slice(0, msgsStart) + body + xml.slice(msgsEnd)
    }
  }
  const file = path.join(tmpDir, path.basename(base))
  fs.writeFileSync(file, xml)
  return file
}
const dictFile = prepareDictionary()

// ---------------------------------------------------------------- wire helpers
function parseWire (txt) {
  const fields = []
  for (const part of txt.split(SOH)) {
    if (!part) continue
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    fields.push([part.slice(0, eq), part.slice(eq + 1)])
  }
  return fields
}
function fieldsObject (pairs) {
  const o = {}
  for (const [t, v] of pairs) {
    if (Object.prototype.hasOwnProperty.call(o, t)) {
      if (!Array.isArray(o[t])) o[t] = [o[t]]
      o[t].push(v)
    } else o[t] = v
  }
  return o
}
function firstOf (pairs, tag) {
  for (const [t, v] of pairs) if (t === tag) return v
  return undefined
}

// ---------------------------------------------------------------- runner state
const inbox = [] // { msgType, pairs, consumed }
let waiter = null // function called on each new inbound message
let session = null
let ready = false
let finished = false
let stepIndex = -1
let definitions = null

function finish (code, msg) {
  if (finished) return
  finished = true
  if (msg) diag(code === EXIT_OK ? 'info' : 'FAIL', msg)
  if (msg && code !== EXIT_OK) out({ dir: 'result', ok: false, exit: code, step: stepIndex, error: msg })
  else out({ dir: 'result', ok: code === EXIT_OK, exit: code, steps: steps.length })
  cleanupTmp()
  const exit = () => process.exit(code)
  if (logStream) logStream.end(() => process.stdout.write('', exit))
  else process.stdout.write('', exit)
  setTimeout(exit, 500).unref()
}

const globalTimer = setTimeout(() => {
  if (!ready) finish(EXIT_SESSION, `no logon within the global timeout ${opts.timeoutMs} ms`)
  else finish(EXIT_EXPECT, `global timeout ${opts.timeoutMs} ms reached at step ${stepIndex}`)
}, opts.timeoutMs)
globalTimer.unref()
const logonTimer = setTimeout(() => {
  if (!ready) finish(EXIT_SESSION, `not logged on within ${opts.logonTimeoutMs} ms (connect to ${opts.host}:${opts.port} failed or logon unanswered)`)
}, opts.logonTimeoutMs)

function onInbound (txt) {
  const pairs = parseWire(txt)
  const msgType = firstOf(pairs, '35')
  if (msgType === undefined) return
  if (!ADMIN.has(msgType) || opts.printAdmin || msgType === '3' || msgType === '5') {
    const line = { dir: 'in', msgType, fields: fieldsObject(pairs) }
    if (ADMIN.has(msgType)) line.admin = true
    out(line)
  }
  if (msgType === '0' || msgType === '1') return
  inbox.push({ msgType, pairs, consumed: false })
  if (waiter) waiter()
}
function onOutbound (txt) {
  const pairs = parseWire(txt)
  const msgType = firstOf(pairs, '35')
  if (msgType === undefined) return
  if (ADMIN.has(msgType) && !opts.printAdmin && msgType !== '5' && msgType !== '3') return
  const line = { dir: 'out', msgType, fields: fieldsObject(pairs) }
  if (ADMIN.has(msgType)) line.admin = true
  out(line)
}

// ---------------------------------------------------------------- field mapping
function tagOf (key) {
  if (/^\d+$/.test(key)) return key
  const sf = definitions.simple.get(key)
  if (!sf) throw scenarioError(`unknown field name '${key}' in this dictionary (use the tag number)`)
  return String(sf.tag)
}
function nameOfKey (key) {
  if (!/^\d+$/.test(key)) return key
  const sf = definitions.tagToSimple[Number(key)]
  if (!sf) throw new Error(`tag ${key} has no definition (internal: UDF missing)`)
  return sf.name
}
// Finds where field `name` lives in `set` (through components, not into
// groups): returns { path: [componentNames...], field } or null.
function locate (set, name) {
  for (const f of set.fields) {
    if (f.type === 2 /* Simple */ && f.definition.name === name) return { path: [], kind: 'simple', field: f }
    if (f.type === 1 /* Group */) {
      const noOf = f.definition.noOfField ? f.definition.noOfField.name : null
      if (name === f.name || name === noOf || name === f.definition.name) return { path: [], kind: 'group', field: f }
    }
  }
  for (const f of set.fields) {
    if (f.type === 0 /* Component */) {
      const r = locate(f.definition, name)
      if (r) return { path: [f.definition.name, ...r.path], kind: r.kind, field: r.field }
    }
  }
  return null
}
function scalar (v) {
  if (v instanceof Date) return v
  if (v === 'now') return new Date()
  if (typeof v === 'boolean') return v
  return String(v)
}
// Builds jspurefix's nested object for `set` from flat fields.
function buildObject (set, fields, header, where) {
  const obj = {}
  for (const [key, value] of Object.entries(fields)) {
    const name = nameOfKey(key)
    const loc = locate(set, name)
    if (!loc) {
      if (header && value !== null) {
        const hl = locate(header, name)
        if (hl && hl.kind === 'simple') {
          obj.StandardHeader = obj.StandardHeader || {}
          obj.StandardHeader[name] = scalar(value)
          continue
        }
      }
      throw scenarioError(`field '${key}' is not part of ${where} in the ${opts.begin} dictionary`)
    }
    let target = obj
    for (const c of loc.path) target = (target[c] = target[c] || {})
    if (loc.kind === 'group') {
      if (!Array.isArray(value)) throw scenarioError(`group '${key}' needs an array of instances`)
      target[loc.field.name] = value.map((inst, i) => buildObject(loc.field.definition, inst, null, `${where}.${loc.field.name}[${i}]`))
    } else if (value === null) {
      target[name] = null // explicit null: do not send (e.g. suppress TransactTime)
    } else {
      target[name] = scalar(value)
    }
  }
  return obj
}
function hasNested (obj, name) {
  if (!obj || typeof obj !== 'object') return false
  if (Object.prototype.hasOwnProperty.call(obj, name)) return true
  return Object.values(obj).some(v => v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && hasNested(v, name))
}
function resolveMsgType (t) {
  if (definitions.message.has(t)) {
    const d = definitions.message.get(t)
    return { code: d.msgType || t, def: d }
  }
  for (const d of definitions.message.values()) {
    if (d.name === t) return { code: d.msgType, def: d }
  }
  throw scenarioError(`unknown message type '${t}' in the ${opts.begin} dictionary`)
}

// ---------------------------------------------------------------- steps
function matches (msg, expect) {
  for (const [key, want] of Object.entries(expect)) {
    const tag = tagOf(key)
    const got = msg.pairs.filter(([t]) => t === tag).map(([, v]) => v)
    if (want === null) { if (got.length) return false; continue }
    if (want === '*') { if (!got.length) return false; continue }
    if (!got.includes(String(want))) return false
  }
  return true
}
function describe (msg) {
  return msg.pairs.filter(([t]) => !['8', '9', '10', '49', '56', '34', '52'].includes(t)).map(([t, v]) => `${t}=${v}`).join('|')
}

function runExpect (step) {
  return new Promise((resolve, reject) => {
    const expect = step.expect
    if (!expect || typeof expect !== 'object') return reject(scenarioError('expect needs an object'))
    const hasType = Object.keys(expect).some(k => k === 'MsgType' || k === '35')
    const timeoutMs = Number(step.timeout_ms || 5000)
    const check = () => {
      for (const msg of inbox) {
        if (msg.consumed) continue
        if (!hasType && ADMIN.has(msg.msgType)) continue
        if (matches(msg, expect)) { msg.consumed = true; return true }
      }
      return false
    }
    if (check()) return resolve()
    const timer = setTimeout(() => {
      waiter = null
      const seen = inbox.filter(m => !m.consumed && m.msgType !== '5').slice(-5).map(describe)
      reject(Object.assign(new Error(`expect ${JSON.stringify(expect)} not met within ${timeoutMs} ms; ` +
        `last unmatched received: ${seen.length ? seen.join(' ; ') : '(none)'}`), { exit: EXIT_EXPECT }))
    }, timeoutMs)
    waiter = () => {
      if (check()) { clearTimeout(timer); waiter = null; resolve() }
    }
  })
}

function runSend (step) {
  return new Promise((resolve, reject) => {
    const { code, def } = resolveMsgType(String(step.send))
    const header = definitions.component.get('StandardHeader') || null
    const obj = buildObject(def, step.fields || {}, header, def.name)
    // TransactTime is stamped (UTC, milliseconds) unless given or null.
    if (locate(def, 'TransactTime') && !hasNested(obj, 'TransactTime')) obj.TransactTime = new Date()
    const strip = (o) => {
      for (const k of Object.keys(o)) {
        if (o[k] === null) delete o[k]
        else if (Array.isArray(o[k])) o[k].forEach(strip)
        else if (o[k] && typeof o[k] === 'object' && !(o[k] instanceof Date)) strip(o[k])
      }
    }
    strip(obj)
    session.sendMsg(code, obj, (err) => err ? reject(err) : resolve())
  })
}

function runLogout (step) {
  return new Promise((resolve) => {
    const timeoutMs = Number(step.timeout_ms || 5000)
    const t = setTimeout(() => resolve(), timeoutMs)
    session.onEnded = () => { clearTimeout(t); resolve() }
    session.logoutNow()
  })
}

async function runScenario () {
  for (stepIndex = 0; stepIndex < steps.length; stepIndex++) {
    if (finished) return
    const step = steps[stepIndex]
    if (!session || session.ended) throw Object.assign(new Error(`session ended before step ${stepIndex}`), { exit: EXIT_SESSION })
    if (step.send !== undefined) await runSend(step)
    else if (step.expect !== undefined) await runExpect(step)
    else if (step.sleep_ms !== undefined) await new Promise(resolve => setTimeout(resolve, Number(step.sleep_ms)))
    else if (step.logout) { await runLogout(step); return }
    else throw Object.assign(new Error(`step ${stepIndex}: unknown step ${JSON.stringify(step)}`), { exit: EXIT_USAGE })
  }
  stepIndex = steps.length
  if (session && !session.ended) await runLogout({})
}

// ---------------------------------------------------------------- session
class BrokerSession extends jsp.AsciiSession {
  constructor (config) {
    super(config)
    this.config = config
    this.logReceivedMsgs = false
    this.ended = false
    this.onEnded = null
    this.logger = config.logFactory.logger('broker')
    session = this
    definitions = config.definitions
  }

  sendMsg (msgType, obj, cb) { this.send(msgType, obj, cb) }
  logoutNow () { this.done() }

  onApplicationMsg () {}
  onDecoded (msgType, txt) { onInbound(txt) }
  onEncoded (msgType, data) { onOutbound(Buffer.isBuffer(data) ? data.toString('latin1') : String(data)) }
  onLogon () { return true }
  onReady () {
    if (ready) return
    ready = true
    clearTimeout(logonTimer)
    diag('info', `logged on to ${opts.host}:${opts.port} as ${opts.sender} -> ${opts.target} (${opts.begin})`)
    runScenario().then(() => finish(EXIT_OK)).catch((e) => finish(e.exit || EXIT_EXPECT, `step ${stepIndex}: ${e.message}`))
  }

  onStopped (error) {
    this.ended = true
    if (this.onEnded) { const f = this.onEnded; this.onEnded = null; f(); return }
    if (!ready) finish(EXIT_SESSION, `logon failed: ${error ? error.message : 'session stopped before logon'}`)
    else if (!finished && stepIndex < steps.length) {
      finish(EXIT_SESSION, `session ended during step ${stepIndex}${error ? ': ' + error.message : ''}`)
    }
  }
}

class Launcher extends jsp.SessionLauncher {
  constructor (description) {
    super(description, null, logFactory)
  }

  makeFactory (config) {
    // Log text with SOH too (jspurefix's default is '|'), so the encoded and
    // decoded text handed to onEncoded/onDecoded is exactly the wire bytes.
    config.logDelimiter = 1
    return { makeSession: (config) => new BrokerSession(config) }
  }
}

const description = {
  application: {
    type: 'initiator',
    name: 'jspurefix_broker',
    reconnectSeconds: 1,
    connectTimeoutSeconds: Math.max(1, Math.ceil(opts.logonTimeoutMs / 1000)),
    tcp: { host: opts.host, port: opts.port },
    protocol: 'ascii',
    dictionary: dictFile
  },
  Username: opts.username || undefined,
  Password: opts.password || undefined,
  EncryptMethod: 0,
  ResetSeqNumFlag: opts.reset,
  HeartBtInt: opts.heartbeat,
  SenderCompId: opts.sender,
  TargetCompID: opts.target,
  BeginString: opts.begin
}
if (opts.bodyLengthChars) description.BodyLengthChars = opts.bodyLengthChars

process.on('SIGTERM', () => finish(EXIT_SESSION, 'SIGTERM'))
process.on('SIGINT', () => finish(EXIT_SESSION, 'SIGINT'))
process.on('uncaughtException', (e) => finish(ready ? EXIT_EXPECT : EXIT_SESSION, `uncaught: ${e && e.stack ? e.stack : e}`))
process.on('unhandledRejection', (e) => finish(ready ? EXIT_EXPECT : EXIT_SESSION, `unhandled: ${e && e.message ? e.message : e}`))

new Launcher(description).run().then(() => {
  if (!ready) finish(EXIT_SESSION, 'session ended before logon')
  else if (!finished && stepIndex < steps.length) finish(EXIT_SESSION, `session ended during step ${stepIndex}`)
}).catch((e) => {
  finish(ready ? EXIT_SESSION : EXIT_SESSION, `connect/logon failed: ${e && e.message ? e.message : e}`)
})
