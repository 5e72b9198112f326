package main

import (
	"errors"
	"flag"
	"os"
)

// flagErr handles the error of FlagSet.Parse (ContinueOnError): --help has
// printed the usage and exits 0; any other error (already printed with the
// usage by the flag package) is returned for main to report.
func flagErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	return err
}
