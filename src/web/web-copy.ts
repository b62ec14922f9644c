import type { DigestWeekday, Frequency, Language, LocalizedText } from '../types.ts';

// Every word the web pages say, in both languages, in one place (the mail templates keep their own in emails/).

export const LANGUAGE_LABELS: Record<Language, LocalizedText> = {
  bilingual: { en: 'Bilingual: English + Chinese', zh: '中英双语' },
  zh: { en: 'Chinese (English titles kept)', zh: '中文（保留英文标题）' },
  en: { en: 'English only', zh: '仅英文' },
};

export const FREQUENCY_LABELS: Record<Frequency, LocalizedText> = {
  daily: { en: 'Daily: every arXiv announcement', zh: '每日：每次 arXiv 更新都发送' },
  weekly: { en: 'Weekly: one digest of the week’s best papers', zh: '每周：一封本周精选' },
};

/** When weekly digests go out (`digest.weeklyOn`), as the preferences page says it. */
export const WEEKDAY_NAMES: Record<DigestWeekday, LocalizedText> = {
  monday: { en: 'on Mondays', zh: '每周一' },
  tuesday: { en: 'on Tuesdays', zh: '每周二' },
  wednesday: { en: 'on Wednesdays', zh: '每周三' },
  thursday: { en: 'on Thursdays', zh: '每周四' },
  friday: { en: 'on Fridays', zh: '每周五' },
};

export const COPY = {
  navSubscribe: { en: 'Subscribe', zh: '订阅' },
  navIssues: { en: 'Past issues', zh: '往期' },

  subscribeTitle: { en: 'Subscribe', zh: '订阅' },
  subscribeIntro: {
    en: 'The new arXiv papers in the topics you pick, in English and Chinese: an email every announcement day, or one a week.',
    zh: '推送您所选主题的 arXiv 新论文，中英双语：每个发布日一封，或每周一封。',
  },
  emailLabel: { en: 'Email address', zh: '邮箱地址' },
  nameLabel: { en: 'Name (optional)', zh: '称呼（可选）' },
  topicsLegend: { en: 'Topics', zh: '主题' },
  topicsHint: { en: 'Pick at least one.', zh: '请至少选择一个。' },
  languageLegend: { en: 'Language', zh: '语言' },
  subscribeButton: { en: 'Subscribe', zh: '订阅' },
  subscribeNote: {
    en: 'We first send a confirmation link; nothing else arrives until you open it. Every mail has a one-click unsubscribe link.',
    zh: '我们会先发送一封确认邮件，确认之前不会发送其他内容。每封邮件都附有一键退订链接。',
  },
  honeypotLabel: { en: 'Leave this field empty', zh: '此栏请留空' },

  checkInboxTitle: { en: 'Check your inbox', zh: '请查收邮件' },
  checkInboxText: {
    en: 'If the address is right, a confirmation link is on its way. Open it to start receiving the digest; nothing else is sent until you do.',
    zh: '如果地址无误，确认链接已经发出。打开链接即可开始订阅；确认之前不会发送其他邮件。',
  },

  confirmTitle: { en: 'Confirm your subscription', zh: '确认订阅' },
  confirmText: { en: 'Press the button to start receiving the digest with these topics:', zh: '点击下方按钮，开始接收以下主题的日报：' },
  confirmButton: { en: 'Confirm', zh: '确认' },
  confirmedTitle: { en: "You're subscribed", zh: '订阅成功' },
  confirmedText: {
    en: 'Your first issue arrives after the next arXiv announcement. A welcome mail with your links is on its way.',
    zh: '下一次 arXiv 更新后您将收到第一期。欢迎邮件（含管理链接）已发送。',
  },
  alreadyConfirmedTitle: { en: 'Already confirmed', zh: '已确认' },
  alreadyConfirmedText: { en: 'This subscription is active; there is nothing left to confirm.', zh: '此订阅已生效，无需再次确认。' },

  preferencesTitle: { en: 'Your topics and language', zh: '您的主题与语言' },
  preferencesText: { en: 'Changes apply from the next issue.', zh: '更改将从下一期开始生效。' },
  saveButton: { en: 'Save', zh: '保存' },
  savedNotice: { en: 'Saved. The next issue follows these choices.', zh: '已保存，下一期起按此发送。' },
  leaveLegend: { en: 'Leave', zh: '退订' },
  leaveText: { en: 'Stop all mail from this digest.', zh: '停止接收本日报的全部邮件。' },
  notSubscribedTitle: { en: 'You are not subscribed', zh: '您目前没有订阅' },
  notSubscribedText: {
    en: 'No issues are sent to this address. To receive them again, subscribe again and confirm from your inbox.',
    zh: '此地址不会收到日报。如需重新接收，请重新订阅并在邮件中确认。',
  },

  unsubscribeTitle: { en: 'Unsubscribe', zh: '退订' },
  unsubscribeText: { en: 'Stop sending the daily digest to this address?', zh: '停止向此地址发送日报？' },
  unsubscribeButton: { en: 'Unsubscribe', zh: '退订' },
  unsubscribeInstead: { en: 'Or change your topics instead', zh: '或者只修改订阅主题' },
  unsubscribedTitle: { en: 'You have been unsubscribed', zh: '您已退订' },
  unsubscribedText: { en: 'No more issues will be sent to this address.', zh: '此地址将不再收到日报。' },
  subscribeAgain: { en: 'Changed your mind? Subscribe again', zh: '改变主意了？重新订阅' },

  invalidLinkTitle: { en: 'This link is not valid', zh: '链接无效' },
  invalidLinkText: {
    en: 'It may be incomplete or altered. Copy the whole link from the mail, or subscribe again.',
    zh: '链接可能不完整或已被改动。请从邮件中复制完整链接，或重新订阅。',
  },
  expiredLinkTitle: { en: 'This link has expired', zh: '链接已过期' },
  expiredLinkText: { en: 'Confirmation links only work for a while. Subscribe again to get a new one.', zh: '确认链接仅在一段时间内有效。请重新订阅以获取新链接。' },
  usedLinkTitle: { en: 'This link is no longer valid', zh: '链接已失效' },
  usedLinkText: { en: 'It has been used or replaced. Subscribe again if you want the digest.', zh: '此链接已被使用或已被替换。如需订阅，请重新订阅。' },

  formExpiredTitle: { en: 'This form has expired', zh: '表单已过期' },
  formExpiredText: { en: 'Nothing was changed. Please submit the form again.', zh: '未做任何更改。请重新提交表单。' },
  tooManyTitle: { en: 'Too many requests', zh: '请求过于频繁' },
  tooManyText: { en: 'Please try again in an hour.', zh: '请一小时后再试。' },
  sendFailedTitle: { en: 'The mail could not be sent', zh: '邮件发送失败' },
  sendFailedText: { en: 'Nothing was changed for you. Please try again later.', zh: '未做任何更改，请稍后再试。' },
  notFoundTitle: { en: 'Page not found', zh: '页面不存在' },
  notFoundText: { en: 'There is nothing at this address.', zh: '此地址没有内容。' },
  errorTitle: { en: 'Something went wrong', zh: '出错了' },
  errorText: { en: 'The error has been logged. Please try again later.', zh: '错误已记录，请稍后再试。' },
  tooLargeTitle: { en: 'Request too large', zh: '请求过大' },
  tooLargeText: { en: 'The form sent more data than any answer needs.', zh: '提交的数据超出了允许的大小。' },

  errorsHeading: { en: 'Please correct the following:', zh: '请更正以下内容：' },
  errEmail: { en: 'Enter a valid email address.', zh: '请输入有效的邮箱地址。' },
  errEmailLong: { en: 'That email address is too long.', zh: '邮箱地址过长。' },
  errEmailAscii: {
    en: 'Use an address with only plain letters, digits and . _ + - before the @: many mail servers cannot deliver to other names.',
    zh: '请使用 @ 前只含英文字母、数字及 . _ + - 的邮箱地址：许多邮件服务器无法投递到其他字符的地址。',
  },
  errEmailHidden: { en: 'The email address contains an invisible or control character', zh: '邮箱地址中含有不可见字符或控制字符' },
  errEmailRetype: { en: 'Please type it in instead of pasting it.', zh: '请手动输入，不要粘贴。' },
  errName: { en: 'The name is too long (at most 100 characters).', zh: '称呼过长（最多 100 个字符）。' },
  errNoTopic: { en: 'Pick at least one topic.', zh: '请至少选择一个主题。' },
  interestsLegend: { en: 'Beyond your topics', zh: '主题之外' },
  interestsHint: {
    en: 'One per line, up to 20 each. Papers by authors you follow and papers naming your keywords come first in your mail, even outside your topics.',
    zh: '每行一个，每项最多 20 个。关注作者的论文和含有你关键词的论文排在邮件最前，即使不在所选主题内。',
  },
  keywordsLabel: { en: 'Your keywords', zh: '你的关键词' },
  excludeLabel: { en: 'Leave out papers that mention', zh: '不看提到以下词的论文' },
  authorsLabel: { en: 'Authors you follow', zh: '关注的作者' },
  errInterestHidden: { en: 'contains a hidden character; retype it', zh: '含有不可见字符，请重新输入' },
  errInterestLength: { en: 'must be 2–80 characters long', zh: '长度须为 2–80 个字符' },
  errInterestRegex: { en: 'write the word or phrase, not a regular expression', zh: '请直接写词或短语，不要用正则表达式' },
  errInterestNoLetter: { en: 'has no letter or digit', zh: '不含字母或数字' },
  errInterestTooMany: { en: 'at most 20; the first 20 are kept', zh: '最多 20 个，仅保留前 20 个' },
  errUnknownTopic: { en: 'One of the topics is not offered.', zh: '所选主题中有未提供的主题。' },
  errLanguage: { en: 'Pick a language.', zh: '请选择语言。' },
  frequencyLegend: { en: 'How often', zh: '发送频率' },
  errFrequency: { en: 'Pick daily or weekly.', zh: '请选择每日或每周。' },

  issuesTitle: { en: 'Past issues', zh: '往期日报' },
  issuesEmpty: { en: 'No issue has been sent yet.', zh: '尚未发送任何一期。' },
  issueTitle: { en: 'arXiv digest', zh: 'arXiv 日报' },
  weeklyTitle: { en: 'arXiv weekly digest', zh: 'arXiv 周报' },
  weeksTitle: { en: 'Weekly digests', zh: '每周精选' },
  allTopics: { en: 'All topics of this issue', zh: '本期全部主题' },
  contents: { en: 'In this issue', zh: '本期目录' },
  noPapers: { en: 'No new papers in this topic', zh: '该主题暂无新论文' },
  abstract: { en: 'Abstract', zh: '摘要' },
  backToTop: { en: 'Back to top', zh: '返回顶部' },
} as const satisfies Record<string, LocalizedText>;
