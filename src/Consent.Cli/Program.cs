using Consent.Cli;

return await ConsentCli.RunAsync(args, CliOutput.ForConsole());
