import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('ComponentStatus', {
  description: 'The connection state of a source or connector on one replica, as it last announced it.',
})
export class ComponentStatusModel {
  @Field({ description: 'The replica (service and host).' }) node!: string;
  @Field({ description: 'connecting, connected, disconnected, failed or unknown.' }) state!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field({ description: 'When the replica announced it.' }) at!: Date;
}
