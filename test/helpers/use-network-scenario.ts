// The network scenario (test/helpers/network-scenario.ts) for one jest test file: started before
// its first test, disposed after its last; after each test the crew's network is whole again, the
// pages' errors are printed and the test's pages are closed. Jest-only (bench:reconnect uses the scenario without jest).
import { startNetworkScenario, type NetworkScenario, type ScenarioEnv } from './network-scenario';

/**
 * Returns the file's scenario. It exists only once beforeAll has run, so the value returned here
 * forwards to it: `const scenario = useNetworkScenario()` at the top of the file, used in tests.
 */
export function useNetworkScenario(env: ScenarioEnv = {}): NetworkScenario {
  let started: NetworkScenario | undefined;
  beforeAll(async () => {
    started = await startNetworkScenario(env);
  });
  afterAll(async () => {
    await started?.dispose();
  });
  afterEach(async () => {
    started?.ns.restore();
    if (started?.errors.length) console.log(started.errors.splice(0).join('\n'));
    // Each test starts with no page of an earlier one still in a session (three earlier surveyor
    // tabs still joined left a fourth unable to connect).
    for (const browser of started ? [started.surveyorBrowser, started.crewBrowser] : [])
      for (const page of await browser.pages()) if (page.url() !== 'about:blank') await page.close();
  });
  return new Proxy({} as NetworkScenario, {
    get(_, key) {
      if (!started) throw new Error('the network scenario is used before beforeAll started it');
      return Reflect.get(started, key);
    },
  });
}
