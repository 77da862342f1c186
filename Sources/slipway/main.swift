import SlipwayCLI

await SlipwayCommand.entryPoint()
