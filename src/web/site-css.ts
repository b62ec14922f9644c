import { createHash } from 'node:crypto';

// One small stylesheet served from /assets/, so the Content-Security-Policy can forbid inline styles and scripts.
// Phone first: one column, 16 px text, 44 px touch targets; colours close to the mail's, with a dark variant.

export const SITE_CSS = `
:root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--text:#1f2328;--muted:#59636e;--rule:#d8dee4;--link:#0b5cad;
--accent:#0b5cad;--on-accent:#fff;--error:#b42318;--ok:#067647;--badge-bg:#fff1dc;--badge-text:#8a4600;--focus:#d97706}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#9198a1;--rule:#30363d;
--link:#6cb6ff;--accent:#2f81f7;--error:#ff7b72;--ok:#3fb950;--badge-bg:#3b2300;--badge-text:#f0b072}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%;background:var(--bg)}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;overflow-wrap:break-word}
:lang(zh-CN){font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",system-ui,sans-serif}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-10000px}
.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem 1rem;z-index:1}
.site{max-width:46rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;
justify-content:space-between}
.site .name{font-weight:700;color:var(--text);text-decoration:none}
.site nav a{margin-left:.75rem;white-space:nowrap}
.site nav a:first-child{margin-left:0}
main{max-width:46rem;margin:0 auto;padding:0 1rem 1rem}
.card{background:var(--card);border:1px solid var(--rule);border-radius:8px;padding:1.25rem;margin:0 0 1rem}
h1,h2,h3{line-height:1.3}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
.card>:first-child,.card>section:first-child>:first-child{margin-top:0}
.bi>span{display:block}
.bi>.zh{margin-top:.15em}
h1.bi>.zh,h2.bi>.zh{font-size:.8em;font-weight:600;color:var(--muted)}
p{margin:.5rem 0}
p.bi>.zh,.muted{color:var(--muted)}
label.field{display:block;font-weight:600;margin:1rem 0 .3rem}
label.field .zh{font-weight:400;color:var(--muted);margin-left:.4rem}
input[type=email],input[type=text]{width:100%;font:inherit;padding:.6rem .75rem;min-height:44px;border:1px solid var(--muted);
border-radius:6px;background:var(--card);color:var(--text)}
fieldset{border:0;padding:0;margin:1.25rem 0 0;min-width:0}
legend{font-weight:700;padding:0;margin-bottom:.25rem}
legend .zh{font-weight:400;color:var(--muted);margin-left:.4rem}
.field{display:block;margin:.9rem 0 .3rem}
.field .label{font-weight:600}
.field .zh{margin-left:.4rem;font-weight:400;color:var(--muted)}
textarea{display:block;width:100%;box-sizing:border-box;font:inherit;font-size:1rem;padding:.55rem .65rem;border:1px solid var(--rule);border-radius:6px;background:var(--card);color:inherit;resize:vertical}
textarea:focus{outline:2px solid var(--accent);outline-offset:1px}
.hint{color:var(--muted);font-size:.92rem;margin:0 0 .5rem}
.choice{display:flex;gap:.75rem;align-items:flex-start;padding:.7rem .8rem;border:1px solid var(--rule);border-radius:6px;
margin:.5rem 0;cursor:pointer}
.choice:has(input:checked){border-color:var(--accent)}
.choice input{margin:.3rem 0 0;width:1.2rem;height:1.2rem;flex:none;accent-color:var(--accent)}
.choice .label{font-weight:600}
.choice .label .zh{margin-left:.4rem;display:inline-block}
.nb{display:inline-block}
.choice .desc{display:block;color:var(--muted);font-size:.92rem}
.actions{margin-top:1.25rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
button{font:inherit;font-weight:600;padding:.6rem 1.25rem;min-height:44px;border-radius:6px;border:1px solid var(--accent);
background:var(--accent);color:var(--on-accent);cursor:pointer}
button.danger{background:transparent;color:var(--error);border-color:var(--error)}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.box{border-left:4px solid var(--rule);padding:.5rem .9rem;margin:0 0 1rem;background:var(--card)}
.box.error{border-color:var(--error)}
.box.ok{border-color:var(--ok)}
.box ul{margin:.25rem 0;padding-left:1.25rem}
.topics{margin:.5rem 0;padding-left:1.25rem}
footer{max-width:46rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.85rem}
.issues{list-style:none;padding:0;margin:0}
.issues li{padding:.6rem 0;border-top:1px solid var(--rule)}
.issues li:first-child{border-top:0}
.toc{margin:.5rem 0 0;padding-left:1.25rem}
.section-head{margin-top:2.5rem}
.desc-line{color:var(--muted);font-size:.92rem}
.desc-line>span{display:block}
.paper{border-top:1px solid var(--rule);padding:1rem 0}
.paper h3{font-size:1.05rem;margin:0}
.paper .title-zh{font-weight:600;margin:.2rem 0 0}
.meta{color:var(--muted);font-size:.9rem;margin:.35rem 0}
.links a{margin-right:.9rem;white-space:nowrap}
.links.tap{display:flex;flex-wrap:wrap;gap:.5rem}
.links.tap a{display:inline-flex;align-items:center;min-height:44px;padding:0 .9rem;margin:0;border:1px solid var(--rule);border-radius:6px;text-decoration:none}
.paper-page h1{font-size:1.35rem;line-height:1.35;margin:.2rem 0 .4rem}
.paper-page .venue{font-weight:600;color:var(--accent)}
.tldr{font-weight:600}
.points{padding-left:1.2rem}
.points li{margin:.3rem 0}
.analysis dt{font-weight:700;margin-top:.8rem}
.analysis dd{margin:0}
.authors{padding-left:1.2rem;columns:2 16rem}
.badge{display:inline-block;font-size:.8rem;padding:0 .4rem;border-radius:4px;background:var(--badge-bg);color:var(--badge-text);
margin-left:.4rem;vertical-align:middle;font-weight:600}
details{margin-top:.5rem}
summary{cursor:pointer;color:var(--link);padding:.6rem 0}
details p{margin:.5rem 0}
.pending{color:var(--muted);font-style:italic}
.top{font-size:.9rem}
`.trim();

/** A content hash in the URL, so the file can be cached for a long time and still change with a release. */
export const SITE_CSS_PATH = `/assets/site.${createHash('sha256').update(SITE_CSS).digest('hex').slice(0, 10)}.css`;
