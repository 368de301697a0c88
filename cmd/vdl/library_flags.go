package main

import (
	"github.com/urfave/cli/v2"

	"github.com/vdlproject/vdl/download"
)

// libraryFlags are the media-library flags (issue 19): --library turns
// on the layout for single episodes and every sidecar; each sidecar also
// has its own flag (yt-dlp's names where it has one).
func libraryFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "library", Usage: "output for a media library (Jellyfin, Plex, Emby, Kodi): '<Show> (<year>)/Season NN/<Show> - SxxEyy - <title>' for single episodes too, and every sidecar below"},
		&cli.BoolFlag{Name: "write-nfo", Usage: "write tvshow.nfo and <episode>.nfo (movie.nfo for a movie), Kodi's schema; an NFO vdl did not write is never replaced"},
		&cli.BoolFlag{Name: "write-thumbnail", Usage: "save poster and fanart in the show folder and <episode>-thumb beside each episode (the extension the image's bytes say)"},
		&cli.BoolFlag{Name: "embed-thumbnail", Usage: "write the episode's still (or the poster) into the MP4 as cover art"},
		&cli.BoolFlag{Name: "write-info-json", Usage: "write <file>.info.json with yt-dlp's field names"},
	}
}

// libraryOptions reads the media-library flags.
func libraryOptions(c *cli.Context) download.LibraryOptions {
	all := c.Bool("library")
	return download.LibraryOptions{Layout: all, NFO: all || c.Bool("write-nfo"), Thumbnails: all || c.Bool("write-thumbnail"),
		EmbedThumbnail: all || c.Bool("embed-thumbnail"), InfoJSON: all || c.Bool("write-info-json")}
}
