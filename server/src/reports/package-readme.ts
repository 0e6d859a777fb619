// README.txt of an evidence package, in Chinese and English: what is in it, how to verify it, and
// what the seal does and does not protect against. Written for a reader years later who has only
// the ZIP and the authority's published keys.
import { WELL_KNOWN_KEYS_PATH, type PackageManifest } from '@cloudship/shared';

export function packageReadme(m: PackageManifest): string {
  const last = m.checkpoints.at(-1);
  const keyIds = [...new Set(m.checkpoints.map((c) => c.keyId))].join(', ');
  const tsa = last?.timestamp ? last.timestamp.tsaUrl : null;
  return `云船检 · 检验证据包 / Cloud Ship Inspection · evidence package
inspection ${m.inspectionId}, exported ${m.exportedAt}
entries ${m.entries.length}, checkpoints ${m.checkpoints.length}, files ${m.files.length}
signing key id(s): ${keyIds}
${tsa ? `trusted time: RFC 3161 token from ${tsa}\n` : ''}
== 中文 ==

内容：manifest.json（证据日志：每条记录含前一条的 SHA-256；签名检查点；时间戳令牌；公钥），
report.pdf（检验报告），segments/（录像分段），evidence/（照片、标注、文件）。

如何验证（无需联网、无需数据库）：
  1. 从检验机构的服务器保存公钥：https://<机构服务器>${WELL_KNOWN_KEYS_PATH} 另存为 keys.json
  2. 在本项目的源码目录运行：npm run verify -- <本文件.zip> --keys keys.json
  3. 每条记录显示 ok 或失败原因；全部通过时退出码为 0。
不带 --keys 时使用包内自带的公钥，结果会注明"未固定密钥"：请将上面的密钥 ID 与机构公布的比对。
规则全文见项目 README 的 "Verifying an evidence package" 一节，可据此独立实现验证程序。

封存能做到：任何文件、记录、顺序、结论文字、船员确认姓名的改动，删去日志末尾的记录，
或换用其他密钥重新签名，都会被发现。
封存做不到：它不能阻止删除或销毁整个证据包或存储中的对象（除非存储启用了对象锁定）；
不能证明签名密钥未被盗用；没有时间戳令牌时，时间只由本服务器声明。

== English ==

Contents: manifest.json (the evidence log, each entry carrying the SHA-256 of the one before;
signed checkpoints; timestamp tokens; public keys), report.pdf, segments/ (the recording),
evidence/ (stills, annotation layers, documents).

How to verify (no network, no database):
  1. Save the authority's public keys: https://<authority's server>${WELL_KNOWN_KEYS_PATH} as keys.json
  2. In a checkout of the project: npm run verify -- <this file.zip> --keys keys.json
  3. Each entry prints ok or the reason it fails; exit code 0 only when everything verifies.
Without --keys the package's own keys are used and the verdict says the key is not pinned:
compare the key id above with the one the authority publishes.
The rules are written out in the project's README ("Verifying an evidence package"), so that
anyone can write their own verifier.

What the seal protects against: any change to a file, an entry, their order, the conclusion text,
the crew's acknowledged name; entries cut from the end of the log; re-signing with another key.
What it does not: it cannot prevent the package, or objects in the store, from being deleted or
destroyed (unless the store has object lock); it cannot prove the signing key was never stolen;
without a timestamp token the times are only this server's word.
`;
}
