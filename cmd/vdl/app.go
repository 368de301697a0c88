package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vdlproject/vdl/download"
	"github.com/vdlproject/vdl/extractors"
	_ "github.com/vdlproject/vdl/extractors/all" // every site registers itself
	"github.com/vdlproject/vdl/request"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// options is the parsed command line of a download.
type options struct {
	output, dir, format string
	conns, retries      int
	maxPerHost          int
	stall, timeout      time.Duration
	limitRate, minSplit int64
	quiet, verbose      bool
	force, listFormats  bool
	jsonOut             bool
	client              clientOptions
	// playlists and batches
	items          download.Items
	archive        string
	batchFile      string
	dryRun         bool
	sleep          time.Duration
	playlist       extractors.PlaylistMode
	keepFragmented bool // --remux fmp4
	keepTS         bool // --remux ts
}

// app holds what one run of vdl shares between its downloads.
type app struct {
	opts   options
	con    *console
	stdout io.Writer
	client *request.Client
	log    *slog.Logger
	dl     *download.Downloader
	obs    *consoleObserver
	kept   bool // the run left unfinished parts that a rerun resumes from
	saved  bool // the run downloaded some items in full
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	con := newConsole(stderr)
	out := newRedactingWriter(stdout)
	defer out.Flush()
	stdout = out
	interrupted := "vdl: interrupted; the output was not written" // vdl join
	cliApp := newCLI(stdout, stderr, func(c *cli.Context) error {
		interrupted = "vdl: interrupted before any media was fetched in this run; run the same command again"
		a, err := newApp(c, con, stdout)
		if err != nil {
			return err
		}
		err = a.downloadAll(ctx, c.Args().Slice())
		switch {
		case a.kept:
			interrupted = "vdl: interrupted; progress is saved, run the same command again to resume"
		case a.saved:
			interrupted = "vdl: interrupted; the items done are kept, run the same command again for the rest"
		}
		return err
	})
	cliApp.Commands = []*cli.Command{joinCommand(ctx, con)}
	err := cliApp.RunContext(ctx, permuteArgs(args, cliApp))
	if err == nil {
		return exitOK
	}
	code := exitCode(ctx, err)
	switch {
	case code == exitInterrupted:
		con.Printf("%s", interrupted)
	default:
		con.Printf("vdl: %s", oneLine(err))
	}
	return code
}

func newCLI(stdout, stderr io.Writer, action cli.ActionFunc) *cli.App {
	return &cli.App{
		Name:      "vdl",
		Usage:     "download videos from v.qq.com, HLS playlists and plain URLs",
		UsageText: "vdl [options] URL...",
		Version:   version,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FILE` (one item), or a template such as '%(series)s/%(episode)02d %(title)s.%(ext)s'"},
			&cli.StringFlag{Name: "dir", Aliases: []string{"d"}, Usage: "output `DIR`ectory", Value: "."},
			&cli.BoolFlag{Name: "list-formats", Aliases: []string{"F"}, Usage: "list the available formats and exit"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "format to download: best, worst, an id, 720p, fallbacks a/b", Value: "best"},
			&cli.BoolFlag{Name: "json", Usage: "print the extracted media as JSON and exit"},
			&cli.IntFlag{Name: "connections", Aliases: []string{"n"}, Usage: "connections in total", Value: 8},
			&cli.IntFlag{Name: "max-conns-per-host", Usage: "at most this many connections to one host (0 = no cap below -n)"},
			&cli.IntFlag{Name: "retries", Usage: "retries of a request (or a range) after consecutive failures (0 = none)", Value: 10},
			&cli.DurationFlag{Name: "timeout", Usage: "give up an attempt that gets no answer, or no data, this long (then retry)", Value: 30 * time.Second},
			&cli.DurationFlag{Name: "stall-timeout", Usage: "drop a media transfer that sends nothing this long (then retry)", Value: 30 * time.Second},
			&cli.StringFlag{Name: "limit-rate", Usage: "cap the total speed, e.g. 2M (bytes/s)"},
			&cli.StringFlag{Name: "min-split", Usage: "smallest range a connection splits off", Value: "512K"},
			&cli.StringFlag{Name: "proxy", Usage: "proxy `URL`: http://, https://, socks5://, with user:pass@ (default: environment)"},
			&cli.StringFlag{Name: "user-agent", Usage: "User-Agent header", Value: defaultUserAgent},
			&cli.StringFlag{Name: "referer", Usage: "Referer header"},
			&cli.StringSliceFlag{Name: "header", Aliases: []string{"H"}, Usage: "extra header 'Name: value' (repeatable)"},
			&cli.StringFlag{Name: "items", Aliases: []string{"I"}, Usage: "playlist items to take, 1-based: `SPEC` such as 1-3,7,10-"},
			&cli.StringFlag{Name: "download-archive", Usage: "record finished items in `FILE` and skip those it lists (yt-dlp's format)"},
			&cli.StringFlag{Name: "batch-file", Aliases: []string{"a"}, Usage: "read URLs from `FILE`, one per line (# comments; - for standard input)"},
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"s", "simulate"}, Usage: "resolve everything and show what would be downloaded; write nothing"},
			&cli.Float64Flag{Name: "sleep-interval", Usage: "wait `SECONDS` between the items of a playlist"},
			&cli.BoolFlag{Name: "yes-playlist", Usage: "an episode URL that names its series downloads the whole series"},
			&cli.BoolFlag{Name: "no-playlist", Usage: "a series URL downloads only the episode its page plays"},
			&cli.StringFlag{Name: "remux", Usage: "output layout: `KIND` mp4 (default: a regular MP4, from TS and fMP4 sources too), fmp4 (keep HLS fMP4 fragmented), ts (keep MPEG-TS as TS)"},
			&cli.BoolFlag{Name: "write-subs", Usage: "save the site's subtitles beside the video (<name>.<lang>.srt|vtt)"},
			&cli.StringFlag{Name: "sub-langs", Usage: "subtitle `LANGS` to save, comma-separated (zh-cn,en), or all (default: all)"},
			&cli.BoolFlag{Name: "embed-subs", Usage: "write the subtitles (see --sub-langs) into the MP4 as text tracks"},
			&cli.BoolFlag{Name: "no-check-duration", Usage: "save a result even when it is shorter than the site says (a preview)"},
			&cli.BoolFlag{Name: "debug-sequential", Hidden: true, Usage: "run a list's items strictly one after another, extraction included (the baseline of bench/series.sh)"},
			&cli.BoolFlag{Name: "location-trusted", Usage: "send -H credentials (Authorization, Cookie) to every host, not only those of the URLs given"},
			&cli.StringFlag{Name: "cookies", Usage: "Netscape cookies.txt `FILE`"},
			&cli.StringFlag{Name: "write-pages", Usage: "save every page and API exchange of the run (not the media) in `DIR`, one numbered file each, to attach to a bug report; " +
				"cookie values, Authorization, tokens and logintoken fields, cKeys, vkeys, guid/flowid and URL passwords are replaced by " + request.Marker},
			&cli.BoolFlag{Name: "insecure", Usage: "do not verify TLS certificates (unsafe)"},
			&cli.BoolFlag{Name: "force", Usage: "download again even if the output exists"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress output"},
			&cli.BoolFlag{Name: "verbose", Usage: "more detail in messages and errors"},
		}, append(danmakuFlags(), libraryFlags()...)...),
		Action:                 action,
		HideHelpCommand:        true,
		UseShortOptionHandling: false,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &usageError{err.Error()}
		},
		ExitErrHandler: func(*cli.Context, error) {}, // run() reports errors itself
	}
}

// parseOptions reads and checks a download's command line.
func parseOptions(c *cli.Context) (options, error) {
	if c.NArg() == 0 && c.String("batch-file") == "" {
		return options{}, &usageError{"no URL given (try: vdl --help)"}
	}
	o := options{
		output: c.String("output"), dir: c.String("dir"), format: c.String("format"),
		conns: c.Int("connections"), retries: c.Int("retries"), stall: c.Duration("stall-timeout"),
		timeout: c.Duration("timeout"), maxPerHost: c.Int("max-conns-per-host"),
		quiet: c.Bool("quiet"), verbose: c.Bool("verbose"), force: c.Bool("force"),
		listFormats: c.Bool("list-formats"), jsonOut: c.Bool("json"),
	}
	if o.output != "" && !strings.Contains(o.output, "%(") && (c.NArg() > 1 || c.String("batch-file") != "") {
		return options{}, &usageError{"-o names one file, but several URLs were given (use -d, or an -o template such as '%(title)s.%(ext)s')"}
	}
	if err := o.parseListFlags(c); err != nil {
		return options{}, err
	}
	switch c.String("remux") {
	case "", "mp4":
	case "ts":
		o.keepTS = true
	case "fmp4":
		o.keepFragmented = true
	default:
		return options{}, &usageError{fmt.Sprintf("--remux %q: want mp4, fmp4 or ts", c.String("remux"))}
	}
	if err := download.CheckTemplate(o.output); err != nil {
		return options{}, &usageError{"-o: " + err.Error()}
	}
	if o.conns < 1 || o.conns > 64 {
		return options{}, &usageError{fmt.Sprintf("-n %d: want 1 to 64 connections", o.conns)}
	}
	if o.maxPerHost < 0 {
		return options{}, &usageError{"--max-conns-per-host must be 0 or more"}
	}
	if o.retries < 0 {
		return options{}, &usageError{"--retries must be 0 or more"}
	}
	if o.stall <= 0 {
		return options{}, &usageError{"--stall-timeout must be positive"}
	}
	if o.timeout <= 0 {
		return options{}, &usageError{"--timeout must be positive"}
	}
	var err error
	if o.minSplit, err = parseSize(c.String("min-split")); err != nil {
		return options{}, &usageError{"--min-split: " + err.Error()}
	}
	if s := c.String("limit-rate"); s != "" {
		if o.limitRate, err = parseSize(s); err != nil {
			return options{}, &usageError{"--limit-rate: " + err.Error()}
		}
	}
	headers, err := parseHeaders(c.StringSlice("header"))
	if err != nil {
		return options{}, err
	}
	retries := o.retries
	if retries == 0 {
		retries = -1 // the policy reads 0 as "default"
	}
	o.client = clientOptions{
		Policy: request.Policy{Retries: retries, Timeout: o.timeout},
		Proxy:  c.String("proxy"), Insecure: c.Bool("insecure"), UserAgent: c.String("user-agent"),
		Referer: c.String("referer"), Headers: headers, CookieFile: c.String("cookies"), Connections: o.conns,
		TrustedHosts: c.Args().Slice(), LocationTrusted: c.Bool("location-trusted"), WritePages: c.String("write-pages"),
	}
	return o, nil
}

// newApp wires a download run: the options, the client, the console's
// observer and the downloader.
func newApp(c *cli.Context, con *console, stdout io.Writer) (*app, error) {
	o, err := parseOptions(c)
	if err != nil {
		return nil, err
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(&logHandler{con: con, level: level})
	client, err := newClient(o.client, log)
	if err != nil {
		return nil, err
	}
	dm, err := danmakuOptions(c)
	if err != nil {
		return nil, err
	}
	obs := &consoleObserver{con: con, stdout: stdout, dir: o.dir, quiet: o.quiet, dryRun: o.dryRun, verbose: o.verbose}
	dl, err := download.New(download.Options{
		Client: client, Log: log, UserAgent: o.client.userAgent(), Observer: obs,
		Playlist: o.playlist, Dir: o.dir, Output: o.output, Format: o.format, Force: o.force,
		Connections: o.conns, MaxConnsPerHost: o.maxPerHost, MinSplit: o.minSplit, StallTimeout: o.stall, LimitRate: o.limitRate,
		StateDir: defaultStateDir(), Sequential: c.Bool("debug-sequential"), KeepFragmented: o.keepFragmented, KeepTS: o.keepTS,
		NoCheckDuration: c.Bool("no-check-duration"),
		WriteSubs:       c.Bool("write-subs") || c.String("sub-langs") != "" && !c.Bool("embed-subs"),
		SubLangs:        subLangs(c.String("sub-langs")), EmbedSubs: c.Bool("embed-subs"), Danmaku: dm, Library: libraryOptions(c),
	})
	if err != nil {
		return nil, err
	}
	obs.progress = dl.Progress
	a := &app{opts: o, con: con, stdout: stdout, client: client, log: log, dl: dl, obs: obs}
	if o.client.Insecure {
		con.Printf("vdl: warning: --insecure: TLS certificates are not verified; anyone on the path can alter the download")
	}
	return a, nil
}

// permuteArgs moves flags before the URLs so "vdl URL -o x" works like
// "vdl -o x URL" (urfave/cli stops at the first positional argument). A
// "--" ends the flags. For a subcommand ("vdl join ..."), the arguments
// after its name are permuted with its own flags.
func permuteArgs(args []string, app *cli.App) []string {
	for i := 1; i < len(args); i++ {
		if strings.HasPrefix(args[i], "-") {
			continue
		}
		for _, cmd := range app.Commands {
			if cmd.Name == args[i] {
				return append(append([]string{}, args[:i]...), permuteFlags(args[i:], cmd.Flags)...)
			}
		}
		break
	}
	return permuteFlags(args, app.Flags)
}

func permuteFlags(args []string, flags []cli.Flag) []string {
	if len(args) < 2 {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var opts, pos []string
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			pos = append(pos, rest[i+1:]...)
			i = len(rest)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			opts = append(opts, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
				i++
				opts = append(opts, rest[i])
			}
		default:
			pos = append(pos, a)
		}
	}
	out := append([]string{args[0]}, opts...)
	if len(pos) > 0 {
		out = append(out, "--")
		out = append(out, pos...)
	}
	return out
}

// goURLError matches net/http's `Get "URL": ` prefix, which reads better
// as the request line users know from curl: `GET URL: `.
var goURLError = regexp.MustCompile(`\b(Get|Head|Post) "([^"]*)": `)

// oneLine flattens an error to a single line for stderr.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	return goURLError.ReplaceAllStringFunc(s, func(m string) string {
		sub := goURLError.FindStringSubmatch(m)
		return strings.ToUpper(sub[1]) + " " + sub[2] + ": "
	})
}

// subLangs reads --sub-langs: languages, lower case, comma-separated.
func subLangs(s string) []string {
	var out []string
	for _, l := range strings.Split(s, ",") {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" {
			out = append(out, l)
		}
	}
	return out
}
