// UI strings of the account page (password change; admins: staff accounts), merged into the
// dictionaries of i18n-messages.ts. `accountEn` defines the keys; `accountZh` must match.

export const accountEn = {
  'account.link': 'Account',
  'account.title': 'My account',
  'account.password': 'Change password',
  'account.current': 'Current password',
  'account.new': 'New password (at least 10 characters)',
  'account.change': 'Change password',
  'account.changed': 'Password changed. Your other sign-ins were ended.',
  'account.wrongPassword': 'The current password is wrong.',
  'account.staff': 'Staff accounts',
  'account.create': 'Create account',
  'account.created': 'Account created: {username}',
  'account.username': 'Username',
  'account.displayName': 'Name',
  'account.role': 'Role',
  'account.initialPassword': 'Initial password (at least 10 characters)',
} as const;

export type AccountMessageKey = keyof typeof accountEn;

export const accountZh: Record<AccountMessageKey, string> = {
  'account.link': '账户',
  'account.title': '我的账户',
  'account.password': '修改密码',
  'account.current': '当前密码',
  'account.new': '新密码（至少 10 个字符）',
  'account.change': '修改密码',
  'account.changed': '密码已修改，其他已登录的设备已退出。',
  'account.wrongPassword': '当前密码错误。',
  'account.staff': '工作人员账户',
  'account.create': '创建账户',
  'account.created': '已创建账户：{username}',
  'account.username': '用户名',
  'account.displayName': '姓名',
  'account.role': '角色',
  'account.initialPassword': '初始密码（至少 10 个字符）',
};
