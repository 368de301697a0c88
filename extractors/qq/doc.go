// Package qq is the v.qq.com (Tencent Video) extractor, built from
// docs/vqq.md (v.qq.com itself cannot be reached from where it was
// written; it is tested against recorded and reconstructed replies).
//
// An episode URL (every form of vqq.md §1) gives a vid and maybe a cid; a
// series URL is resolved to the episode its page plays. The formats come
// from the first API flow that answers: getvinfo signed with cKey 8.1
// (HLS or progressive MP4), then the legacy getinfo + getkey (MP4 clips)
// across platforms. Replies are decoded as one JSON value after the
// QZOutputJson= marker, and every field relied on is checked, so a changed
// API is a clear error. Media URLs are signed (vkeys): the CLI extracts
// again when they expire.
package qq
