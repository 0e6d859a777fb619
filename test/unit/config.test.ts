import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/src/config/config';

test('embedded defaults: HTTPS on 8443, data under ./data, crew links valid 24 h', () => {
  const c = loadConfig({});
  expect(c.https).toBe(true);
  expect(c.port).toBe(8443);
  expect(c.database).toEqual({ type: 'sqlite', path: path.resolve('data', 'cloudship.sqlite') });
  expect(c.crewLinkTtlMs).toBe(24 * 3600_000);
  expect(c.simulcastOnlyConsumed).toBe(true);
  expect(c.workers).toBeGreaterThanOrEqual(1);
  // Listening on all interfaces must announce a concrete address to WebRTC clients.
  expect(c.rtc.listenAddresses[0]!.ip).toBe('0.0.0.0');
  expect(c.rtc.listenAddresses[0]!.announcedAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
});

test('DATABASE_URL switches to PostgreSQL; a bad URL or a schema without it is refused', () => {
  expect(loadConfig({ DATABASE_URL: 'postgres://ci:pw@127.0.0.1:5432/cloudship', DATABASE_SCHEMA: 'city_a' }).database).toEqual({
    type: 'postgres',
    url: 'postgres://ci:pw@127.0.0.1:5432/cloudship',
    schema: 'city_a',
  });
  expect(() => loadConfig({ DATABASE_URL: 'mysql://x@host/db' })).toThrow(/DATABASE_URL: a postgres:/);
  expect(() => loadConfig({ DATABASE_URL: 'postgres://x@host/db', DATABASE_SCHEMA: 'Robert"); DROP' })).toThrow(/DATABASE_SCHEMA/);
  expect(() => loadConfig({ DATABASE_SCHEMA: 'city_a' })).toThrow(/DATABASE_SCHEMA needs DATABASE_URL/);
});

test('the switches read true/false, 1/0, on/off', () => {
  expect(loadConfig({ SIMULCAST_ONLY_CONSUMED: 'false' }).simulcastOnlyConsumed).toBe(false);
  expect(loadConfig({ SIMULCAST_ONLY_CONSUMED: 'off', HTTPS: '0' })).toMatchObject({ simulcastOnlyConsumed: false, https: false });
  expect(loadConfig({ SIMULCAST_ONLY_CONSUMED: 'on', HTTPS: 'true' })).toMatchObject({ simulcastOnlyConsumed: true, https: true });
});

test('DATA_SAVER_KINDS: occasional by default, a list of kinds, or none', () => {
  expect(loadConfig({}).field.dataSaverKinds).toEqual(['occasional']);
  expect(loadConfig({ DATA_SAVER_KINDS: ' periodic , intermediate' }).field.dataSaverKinds).toEqual(['periodic', 'intermediate']);
  expect(loadConfig({ DATA_SAVER_KINDS: '' }).field.dataSaverKinds).toEqual([]);
});

test('a specific RTC listen address needs no announced address; extra listen addresses are added', () => {
  const c = loadConfig({ RTC_LISTEN_IP: '127.0.0.1', RTC_EXTRA_LISTEN_IPS: '10.77.0.1' });
  expect(c.rtc.listenAddresses).toEqual([{ ip: '127.0.0.1' }, { ip: '10.77.0.1' }]);
});

test.each([
  [{ PORT: '70000' }, 'PORT'],
  [{ PORT: 'http' }, 'PORT'],
  [{ HTTPS: 'maybe' }, 'HTTPS'],
  [{ SIMULCAST_ONLY_CONSUMED: 'sometimes' }, 'SIMULCAST_ONLY_CONSUMED'],
  [{ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' }, 'RTC_MIN_PORT'],
  [{ TLS_CERT: '/x.crt' }, 'TLS_CERT'],
  [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
  [{ CREW_LINK_TTL_HOURS: '-1' }, 'CREW_LINK_TTL_HOURS'],
  [{ RTC_LISTEN_IP: 'localhost' }, 'RTC_LISTEN_IP'],
  [{ RTC_EXTRA_LISTEN_IPS: '10.0.0.1,nonsense' }, 'RTC_EXTRA_LISTEN_IPS'],
  [{ DATA_SAVER_KINDS: 'periodic,weekly' }, 'DATA_SAVER_KINDS'],
])('invalid %j is refused naming %s', (env, name) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(name);
});

test("recordings go to the repository's recordings/ on the defaults, and under DATA_DIR when it is set", () => {
  expect(loadConfig({}).recording.dir).toBe(path.resolve('recordings'));
  expect(loadConfig({ DATA_DIR: '/srv/cloudship' }).recording.dir).toBe('/srv/cloudship/recordings');
  expect(loadConfig({ DATA_DIR: '/srv/cloudship', RECORDINGS_DIR: '/mnt/media' }).recording.dir).toBe('/mnt/media');
});

test('PUBLIC_URL is an http(s) origin: kept as scheme://host[:port], default port and trailing slash folded', () => {
  expect(loadConfig({}).publicUrl).toBeNull();
  expect(loadConfig({ PUBLIC_URL: 'https://Inspect.Example.org/' }).publicUrl).toBe('https://inspect.example.org');
  expect(loadConfig({ PUBLIC_URL: 'https://inspect.example.org:443' }).publicUrl).toBe('https://inspect.example.org');
  expect(loadConfig({ PUBLIC_URL: 'http://192.168.1.20:8443' }).publicUrl).toBe('http://192.168.1.20:8443');
});

test.each([
  'inspect.example.org',
  'ftp://inspect.example.org',
  'https://inspect.example.org/cloudship',
  'https://inspect.example.org/?x=1',
  'https://inspect.example.org/#top',
  'https://user:secret@inspect.example.org',
])('PUBLIC_URL %s is refused naming PUBLIC_URL', (value) => {
  expect(() => loadConfig({ PUBLIC_URL: value })).toThrow(ConfigError);
  expect(() => loadConfig({ PUBLIC_URL: value })).toThrow('PUBLIC_URL');
});

test('TIME_ZONE: Asia/Shanghai by default, an IANA zone, anything else refused', () => {
  expect(loadConfig({}).timeZone).toBe('Asia/Shanghai');
  expect(loadConfig({ TIME_ZONE: 'Asia/Urumqi' }).timeZone).toBe('Asia/Urumqi');
  for (const TIME_ZONE of ['Beijing', 'UTC+8', '']) expect(() => loadConfig({ TIME_ZONE })).toThrow(/TIME_ZONE/);
});
