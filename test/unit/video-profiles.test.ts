// The crew camera's encodings per video profile and data saver (client/src/video-profiles.ts)
// against the rule the server caps consumers with (shared cameraTopLayer): the phone never
// sends a layer above it, and sends every layer up to it.
import { cameraTopLayer, VIDEO_PROFILES } from '@cloudship/shared';
import { layerSetting, LAYER_MAX_BITRATES, PROFILE_LAYERS } from '../../client/src/video-profiles';

const LAYERS = [0, 1, 2];

test.each(VIDEO_PROFILES.flatMap((profile) => [false, true].map((saver) => [profile, saver] as const)))(
  '%s, data saver %s: the layers up to the top one the server allows are sent, none above',
  (profile, saver) => {
    const top = cameraTopLayer(profile, saver);
    const active = LAYERS.map((layer) => layerSetting(profile, saver, layer).active);
    expect(active).toEqual(LAYERS.map((layer) => top !== null && layer <= top));
    for (const layer of LAYERS) {
      const setting = layerSetting(profile, saver, layer);
      if (setting.active) expect(setting.maxBitrate).toBeGreaterThan(0);
    }
  },
);

test('the data saver drops the top layer and lowers the rest, but in detail; detail costs well under automatic', () => {
  const sent = (profile: (typeof VIDEO_PROFILES)[number], saver: boolean) =>
    LAYERS.map((layer) => layerSetting(profile, saver, layer)).reduce((sum, s) => sum + (s.active ? s.maxBitrate! : 0), 0);
  expect(sent('auto', true)).toBeLessThan(sent('auto', false) / 2);
  expect(sent('walk-through', true)).toBeLessThan(sent('walk-through', false));
  expect(layerSetting('detail', true, 2)).toEqual(layerSetting('detail', false, 2));
  // Detail at 5 fps: each frame gets more bits than automatic's at 20 fps, the whole far less.
  expect(sent('detail', false)).toBeLessThan(sent('auto', false) * 0.6);
  expect(PROFILE_LAYERS.detail[2]!.maxBitrate / 5).toBeGreaterThan(LAYER_MAX_BITRATES[2]! / 20);
  expect(LAYERS.every((layer) => layerSetting('audio-stills', false, layer).active === false)).toBe(true);
});
