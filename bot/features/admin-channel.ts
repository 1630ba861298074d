import { setAdminChannel } from '../../domain/admin/set-admin-channel';
import { command, type Feature } from './feature';

/** "use this channel": where admin notifications are posted from now on. */
export const adminChannel: Feature = {
  name: 'admin-channel',
  commands: [
    command<object>({
      name: 'use this channel',
      usage: 'use this channel',
      example: 'use this channel',
      scope: 'admin',
      needs: 'adminWrite',
      keywords: ['use this channel'],
      parse: (text) => (/^use\s+this\s+channel(?:\s+for\s+(?:admin\s+)?notifications)?$/i.test(text) ? {} : null),
      run: async (_a, { deps, ctx, channel }) => {
        if (!channel) return 'Say this in the Teams channel where admins should get notifications, with an @mention of me.';
        await setAdminChannel(deps, ctx, { channelName: channel.name });
        await channel.remember();
        return `Done: admin notifications for your organization will be posted in ${channel.name}.`;
      },
    }),
  ],
};
