; Inno Setup script for Windows. Build the one-folder bundle first:
;   pyinstaller --noconfirm installer\hrohuddle.spec
; then compile this script with Inno Setup 6 (iscc installer\hrohuddle.iss).
; Silent install for IT:   HRO-Huddle-Setup.exe /VERYSILENT /SUPPRESSMSGBOXES /ALLUSERS
; Per user, no admin:      HRO-Huddle-Setup.exe /VERYSILENT /CURRENTUSER
; Silent uninstall keeps the unit's data (it lives in %LOCALAPPDATA%\hrohuddle).
#define AppName "HRO Huddle"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{5B4C7E0A-2B7D-4E5B-9C1E-8A3D2F6B4E71}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=HRO Huddle
DefaultDirName={autopf}\HRO Huddle
DefaultGroupName=HRO Huddle
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
OutputBaseFilename=HRO-Huddle-Setup-{#AppVersion}
SetupIconFile=hrohuddle.ico
UninstallDisplayIcon={app}\hrohuddle.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Files]
Source: "..\build\dist\hrohuddle\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\HRO Huddle"; Filename: "{app}\hrohuddle.exe"
Name: "{group}\Uninstall HRO Huddle"; Filename: "{uninstallexe}"
Name: "{autodesktop}\HRO Huddle"; Filename: "{app}\hrohuddle.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\hrohuddle.exe"; Parameters: "self-test"; Flags: runhidden; StatusMsg: "Checking the installation..."
Filename: "{app}\hrohuddle.exe"; Description: "Start HRO Huddle"; Flags: nowait postinstall skipifsilent

[Code]
// The unit's data is kept on uninstall unless the person uninstalling says otherwise.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\hrohuddle');
    if DirExists(DataDir) and not UninstallSilent then
      if MsgBox('Also delete the unit''s data and backups in ' + DataDir + '?' + #13#10 +
                'Choose No to keep them (recommended).', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(DataDir, True, True, True);
  end;
end;
