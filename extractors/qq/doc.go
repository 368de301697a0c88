// Package qq is the v.qq.com (Tencent Video) extractor, built from
// docs/vqq.md. This is the groundwork of issue 5: URL forms, the cKey 8.1
// signature, the reply decoder with typed errors, reply parsing and the
// legacy flow's file names and request URLs. The HTTP side of the flows
// (getvinfo, getinfo + getkey), the site registration and the CLI wiring
// are not written yet, so v.qq.com URLs still fall to the generic
// extractor, which refuses them as web pages.
package qq
