// Package qq is the v.qq.com (Tencent Video) extractor, built from
// docs/vqq.md (v.qq.com itself cannot be reached from where it was
// written; it is tested against recorded and reconstructed replies and
// the fake site in internal/fakeqq).
//
// An episode URL (every form of docs/vqq.md §1) gives a vid and maybe a
// cid; a series URL is resolved to its episode list or to the episode
// its page plays. The formats come from the first flow that answers, in
// the run's order (docs/vqq.md §8): the current web player's proxyhttp
// signed with cKey 8.5, in TS mode and then in MP4-clip mode; getvinfo
// signed with cKey 8.1; the legacy getinfo + getkey across platforms.
// Each format names its flow, so that a download whose first media
// request the CDN refuses can hand the episode to the next flow (the
// download package does, through extractors.Flows). Replies are decoded
// as one JSON value after the QZOutputJson= marker (or inside
// proxyhttp's wrapper), and every field relied on is checked, so a
// changed API is a clear error naming the flow and the field. Media URLs
// are signed (vkeys, path tokens): the download extracts again when they
// expire.
package qq
