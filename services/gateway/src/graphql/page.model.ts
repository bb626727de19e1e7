import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { IsOptional, IsString, Max, Min } from 'class-validator';

@ObjectType({ description: 'Where a page ends; pass endCursor as `after` to get the next one.' })
export class PageInfo {
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  @Field() hasNextPage!: boolean;
}

/** Cursor pagination arguments of every list. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'At most 500; 50 when omitted.' })
  @IsOptional()
  @Min(1)
  @Max(500)
  first?: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  after?: string;
}

export interface PageOf<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

/** A page type for a model: `{ nodes, pageInfo }`. */
export function Paginated<T>(item: Type<T>, name: string): Type<PageOf<T>> {
  @ObjectType(name)
  class Page implements PageOf<T> {
    @Field(() => [item]) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
  }
  return Page;
}

/** Maps a repository page to the API's page. */
export function toPage<R, T>(
  page: { items: R[]; endCursor: string | null; hasNextPage: boolean },
  map: (row: R) => T,
): PageOf<T> {
  return {
    nodes: page.items.map(map),
    pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
  };
}
