export const SESSION_COOKIE = 'csi_session';
