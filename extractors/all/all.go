// Package all registers every extractor: import it for its side effect.
package all

import (
	_ "github.com/vdlproject/vdl/extractors/generic" // direct media URLs
	_ "github.com/vdlproject/vdl/extractors/qq"      // v.qq.com (Tencent Video)
)
