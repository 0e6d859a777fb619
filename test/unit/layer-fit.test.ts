// The layer the console asks for from the height the crew's picture is shown at (client/src/layer-fit.ts).
import { layerForHeight, spatialLayersOf } from '../../client/src/layer-fit';

test.each([
  [120, 0],
  [180, 0],
  [198, 0], // 180 lines serve up to a tenth more
  [199, 1],
  [360, 1],
  [396, 1],
  [397, 2],
  [720, 2],
  [2160, 2], // nothing above the top layer
])('%s device pixels high -> layer %s', (height, layer) => {
  expect(layerForHeight(height)).toBe(layer);
});

test('an element with no size (hidden, not laid out) asks for nothing', () => {
  for (const height of [0, -5, Number.NaN]) expect(layerForHeight(height)).toBeNull();
});

test('a camera with fewer layers is never asked for one it does not have', () => {
  expect(layerForHeight(720, 2)).toBe(1);
  expect(layerForHeight(100, 1)).toBe(0);
});

test('the spatial layers of a consumer come from its scalability mode', () => {
  expect(spatialLayersOf({ encodings: [{ scalabilityMode: 'L3T3' }] })).toBe(3);
  expect(spatialLayersOf({ encodings: [{ scalabilityMode: 'S2T1' }] })).toBe(2);
  expect(spatialLayersOf({ encodings: [{}] })).toBe(1);
  expect(spatialLayersOf({})).toBe(1);
  expect(spatialLayersOf({ encodings: [{ scalabilityMode: 'L0T1' }] })).toBe(1);
});
